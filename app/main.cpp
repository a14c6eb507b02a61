// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui.h"

int main(int argc, char **argv)
{
    return opsdeck::runGui(argc, argv, {});
}
