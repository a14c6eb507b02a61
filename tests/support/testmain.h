// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStandardPaths>
#include <QtTest>

// Like QTEST_MAIN / QTEST_GUILESS_MAIN, but every test runs with QStandardPaths in test mode (never
// the user's real config or history) and, for widget tests, on the offscreen platform unless the
// environment chose one.
#define OPSDECK_TEST_PREAMBLE()                                                                    \
    QStandardPaths::setTestModeEnabled(true);                                                      \
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))                                            \
        qputenv("QT_QPA_PLATFORM", "offscreen");

#define OPSDECK_TEST_GUILESS_MAIN(TestObject)                                                      \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        OPSDECK_TEST_PREAMBLE()                                                                    \
        QCoreApplication app(argc, argv);                                                          \
        app.setApplicationName(QStringLiteral("opsdeck"));                                         \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }

#define OPSDECK_TEST_GUI_MAIN(TestObject)                                                          \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        OPSDECK_TEST_PREAMBLE()                                                                    \
        QApplication app(argc, argv);                                                              \
        app.setApplicationName(QStringLiteral("opsdeck"));                                         \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
