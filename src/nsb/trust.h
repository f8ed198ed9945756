/* nsb-trust.h - `nsb trust`: see nsb-trust.c. */
#pragma once

int trust_main(int argc, char **argv);
