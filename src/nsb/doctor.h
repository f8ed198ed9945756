/* doctor.h - `nsb doctor`: checks this machine and account for nsbsh. */
#pragma once

int doctor_main(int argc, char **argv);
