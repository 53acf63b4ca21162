#!/bin/sh
# The command that trained fashion-mnist-mbv3-small-input.pt (edanas 0.1.0, a build copied
# at 10:42 UTC on 2026-12-01, when main was at 7c11652; the trainer is the one of 04d14b3,
# the recipe of issue 14, unchanged since) on
# the project's 2-core CPU machine with two LibTorch threads, niced, beside other work, over
# three sessions (it resumes after the last complete epoch); its output is in
# fashion-mnist-mbv3-small-input.train.log. Run it again to reproduce. --half stores the
# final weights as float16.
EDANAS_THREADS=2 edanas supernet train --space mbv3-small-input \
  --data /usr/share/datasets/fashion-mnist --out fashion-mnist-mbv3-small-input.pt \
  --epochs 4,2,2,3 --eval-images 2000 --recalibration-images 2000 --batch-size 128 --half
