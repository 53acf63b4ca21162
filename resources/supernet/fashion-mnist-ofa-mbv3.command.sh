#!/bin/sh
# The command that trained fashion-mnist-ofa-mbv3.pt (edanas 0.1.0, a build copied at
# 14:24 UTC on 2026-12-01, when main was at 66b424b; the trainer is unchanged since
# 04d14b3, the recipe of issue 14) on the project's 2-core CPU machine with one
# LibTorch thread, niced, beside other work, in three pieces (it resumes after the last complete epoch); its output is in
# fashion-mnist-ofa-mbv3.train.log. Run it again to reproduce: 15 epochs over all 54,000
# training images, 2 h 45 min of epochs in that log (41 min largest, 48 min kernel,
# 35 min depth, 42 min expansion) with one thread on the shared machine. --half stores
# the final weights as float16.
EDANAS_THREADS=1 edanas supernet train --space ofa-mbv3 \
  --data /usr/share/datasets/fashion-mnist --out fashion-mnist-ofa-mbv3.pt \
  --epochs 6,3,3,3 --eval-images 2000 --recalibration-images 2000 --batch-size 128 --half
