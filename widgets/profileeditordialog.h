// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profilestore.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace opsdeck {

// Edits a copy of a ProfileSet: the list of profiles on the left, the selected one's form on the
// right, problems listed live (core's validateProfile, duplicate names, inline secrets) and Save
// disabled while there are any. Save writes the file with ProfileStore::save and reports a failure
// in the dialog. Secrets are edited as references and shown with displayString(), never resolved.
class ProfileEditorDialog : public QDialog
{
    Q_OBJECT
public:
    ProfileEditorDialog(ProfileSet profiles, QString savePath, QWidget *parent = nullptr);

    // The edited set (after exec() returned Accepted: the one written to savePath()).
    ProfileSet profileSet() const { return m_set; }
    QString savePath() const { return m_path; }
    QStringList problems() const { return m_problems; }

    // Every problem of the set, one sentence each, naming the profile and field.
    static QStringList validateSet(const ProfileSet &set);

    void selectProfile(int row);
    int currentProfileRow() const { return m_current; }

public Q_SLOTS:
    void addProfile();
    void duplicateProfile();
    void removeProfile();
    void save();

private:
    QWidget *buildForm();
    QLineEdit *fileEdit(QWidget *parent, const QString &objectName, QWidget **row);
    QLineEdit *secretEdit(QWidget *parent, const QString &objectName);
    void loadForm();
    void storeForm();
    void refreshList();
    void refreshDefaultCombo();
    void validate();
    void highlightFields();
    void setFormEnabled(bool enabled);
    QString uniqueName(const QString &base) const;

    ProfileSet m_set;
    QString m_path;
    int m_current = -1;
    bool m_loading = false;
    QStringList m_problems;

    QListWidget *m_list = nullptr;
    QPushButton *m_duplicateButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QWidget *m_form = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_restUrl = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_clientCert = nullptr;
    QLineEdit *m_clientKey = nullptr;
    QLineEdit *m_keyPassword = nullptr;
    QLineEdit *m_token = nullptr;
    QLineEdit *m_pin = nullptr;
    QCheckBox *m_insecure = nullptr;
    QSpinBox *m_connectTimeout = nullptr;
    QSpinBox *m_readTimeout = nullptr;
    QLineEdit *m_zkConnect = nullptr;
    QLineEdit *m_zkAuth = nullptr;
    QSpinBox *m_zkSessionTimeout = nullptr;
    QTableWidget *m_bundles = nullptr;
    QPushButton *m_removeBundleButton = nullptr;
    QComboBox *m_default = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QLabel *m_saveError = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace opsdeck
