#!/bin/sh
# The command that trained fashion-mnist-ofa-mbv3.pt (edanas 0.1.0, commit c62880c),
# on a 2-core CPU machine with one LibTorch thread; its output is in
# fashion-mnist-ofa-mbv3.train.log. Run it again to reproduce (about 55 minutes).
EDANAS_THREADS=1 edanas supernet train --space ofa-mbv3 \
  --data /usr/share/datasets/fashion-mnist --out fashion-mnist-ofa-mbv3.pt \
  --epochs 2,1,1,1 --train-images 16000 --eval-images 2000 --recalibration-images 2000 \
  --batch-size 128 --lr 0.05 --half
