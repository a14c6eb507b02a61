// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace opsdeck::test {

// Measures how long the event loop of the thread it lives on stops turning: a precise timer ticks
// every tickMs and the longest gap between two ticks, minus tickMs, is the longest stall. A GUI
// that blocks on I/O for 2 s shows a stall of about 2 s; an idle or busy-but-responsive loop stays
// near 0. Fault-injection tests assert longestStallMs() against a bound (e.g. 250 ms) instead of
// timing anything themselves.
class StallMeter : public QObject
{
public:
    explicit StallMeter(int tickMs = 5, QObject *parent = nullptr)
        : QObject(parent)
        , m_tickMs(tickMs)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(tickMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    }

    void start()
    {
        m_longest = 0;
        m_ticks = 0;
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    void reset()
    {
        m_longest = 0;
        m_ticks = 0;
        m_clock.restart();
    }

    // The longest time the loop did not turn, beyond the tick interval itself.
    qint64 longestStallMs() const { return m_longest; }
    qint64 ticks() const { return m_ticks; }

private:
    void tick()
    {
        const qint64 gap = m_clock.restart() - m_tickMs;
        if (gap > m_longest)
            m_longest = gap;
        ++m_ticks;
    }

    int m_tickMs;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_longest = 0;
    qint64 m_ticks = 0;
};

} // namespace opsdeck::test
