#!/bin/bash
# placeholder, written below
. "$top_srcdir/tests/lib.sh"
finish
