// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QModelIndex>
#include <QWidget>

class QLabel;
class QSplitter;
class QTextBrowser;
class QTreeView;

namespace opsdeck {

class CertificatesModel;

// The Certificates dock's content: a summary line, the bundle -> file -> certificate tree and a
// detail pane with every field of the selected certificate (or file, or bundle) plus the bundle's
// chain path, manifest, last event and served-endpoint state.
class CertificatesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CertificatesPanel(QWidget *parent = nullptr);

    CertificatesModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QTextBrowser *detailBrowser() const { return m_detail; }
    QLabel *summaryLabel() const { return m_summary; }
    QString detailText() const; // the detail pane as plain text

    // Makes index (of model()) the current row and shows its details.
    void select(const QModelIndex &index);

    // The detail pane's HTML for a row of the model (empty index: a hint).
    static QString detailHtml(const CertificatesModel *model, const QModelIndex &index);

private:
    void updateDetail();
    void updateSummary();

    CertificatesModel *m_model;
    QLabel *m_summary;
    QSplitter *m_splitter;
    QTreeView *m_view;
    QTextBrowser *m_detail;
};

} // namespace opsdeck
