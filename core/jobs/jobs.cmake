# SPDX-License-Identifier: GPL-3.0-or-later
# The Job control module: the statement language (lexer and parser; nothing is executed here).
target_sources(opsdeck_core PRIVATE
    jobs/statement.cpp jobs/statement.h
)
