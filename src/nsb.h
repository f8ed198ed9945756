/* nsb.h - the control command: nsbsh's binary started as `nsb`. */
#pragma once

/* Runs `nsb ARGS...` and returns its exit status. */
int nsb_main(int argc, char **argv);
