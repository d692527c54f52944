// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The option slots: each command of a tool given every option three
 * times, parsed and its constraints checked, under AddressSanitizer where
 * the compiler has it (the parser and the table are built with it). The
 * tool is the args harness this program is linked with (args.h).
 */
#include "config.h"

int fuzz_option_slots(void);

int main(void)
{
	return fuzz_option_slots() ? 1 : 0;
}
