/* nsblog.h - `nsb log [-n N] [DIR]`: the latest refusals of the sandbox of
 * the project around DIR (denylog.h). */
#pragma once

int nsblog_main(int argc, char **argv);
