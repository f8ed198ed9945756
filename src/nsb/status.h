/* status.h - `nsb status [DIR]`: what a start in DIR would do. */
#pragma once

int status_main(int argc, char **argv);
