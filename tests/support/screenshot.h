// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QWidget;

namespace opsdeck::test {

// Renders the widget offscreen (QWidget::grab) to $OPSDECK_BUILD_DIR/screenshots/<name>.png (the
// current directory's screenshots/ when the variable is unset) and returns the file's path, or an
// empty string when writing failed (with a warning saying why).
QString saveScreenshot(QWidget *widget, const QString &name);

} // namespace opsdeck::test
