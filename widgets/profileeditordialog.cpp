// SPDX-License-Identifier: GPL-3.0-or-later
#include "profileeditordialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPalette>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace opsdeck {

namespace {

enum BundleColumns
{
    BundlePath,
    BundlePassword,
    BundleHostname,
    BundleProbe,
    BundleColumnCount
};

const QString SecretPlaceholder = QStringLiteral("env:VARIABLE or file:/path/to/secret");

QString profileLabel(const Profile &p, qsizetype index)
{
    return p.name.trimmed().isEmpty() ? QStringLiteral("profile #%1").arg(index + 1)
                                      : QStringLiteral("'%1'").arg(p.name);
}

// Keeps the stored reference when the field still shows its display form (an inline secret is
// shown as "(inline secret)" and must stay what it was), parses anything the user typed.
SecretRef secretFromText(const QString &text, const SecretRef &previous)
{
    const QString trimmed = text.trimmed();
    if (trimmed == previous.displayString())
        return previous;
    return SecretRef::parse(trimmed);
}

QSpinBox *msSpinBox(QWidget *parent, const QString &objectName, int minimum)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(minimum, 3600 * 1000);
    spin->setSingleStep(1000);
    spin->setSuffix(QStringLiteral(" ms"));
    spin->setGroupSeparatorShown(true);
    return spin;
}

} // namespace

ProfileEditorDialog::ProfileEditorDialog(ProfileSet profiles, QString savePath, QWidget *parent)
    : QDialog(parent)
    , m_set(std::move(profiles))
    , m_path(std::move(savePath))
{
    setObjectName(QStringLiteral("profileEditor"));
    setWindowTitle(tr("Edit profiles"));

    // Left: the profiles.
    auto *listBox = new QWidget(this);
    m_list = new QListWidget(listBox);
    m_list->setObjectName(QStringLiteral("profileList"));
    auto *addButton = new QPushButton(tr("Add"), listBox);
    addButton->setObjectName(QStringLiteral("profileAdd"));
    m_duplicateButton = new QPushButton(tr("Duplicate"), listBox);
    m_duplicateButton->setObjectName(QStringLiteral("profileDuplicate"));
    m_removeButton = new QPushButton(tr("Remove"), listBox);
    m_removeButton->setObjectName(QStringLiteral("profileRemove"));
    connect(addButton, &QPushButton::clicked, this, &ProfileEditorDialog::addProfile);
    connect(m_duplicateButton, &QPushButton::clicked, this, &ProfileEditorDialog::duplicateProfile);
    connect(m_removeButton, &QPushButton::clicked, this, &ProfileEditorDialog::removeProfile);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loading)
            return;
        m_current = row;
        loadForm();
    });
    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(addButton);
    listButtons->addWidget(m_duplicateButton);
    listButtons->addWidget(m_removeButton);
    auto *listLayout = new QVBoxLayout(listBox);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(new QLabel(tr("Profiles"), listBox));
    listLayout->addWidget(m_list, 1);
    listLayout->addLayout(listButtons);

    // Right: the form.
    m_form = buildForm();

    auto *splitter = new QSplitter(this);
    splitter->addWidget(listBox);
    splitter->addWidget(m_form);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({220, 600});

    // Bottom: default profile, problems, save error, buttons.
    m_default = new QComboBox(this);
    m_default->setObjectName(QStringLiteral("defaultProfile"));
    m_default->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_default, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (m_loading || index < 0)
            return;
        m_set.defaultProfile = m_default->itemData(index).toString();
        validate();
    });
    auto *defaultRow = new QHBoxLayout;
    auto *defaultLabel = new QLabel(tr("Default profile (opened at start and used by headless "
                                       "commands without --profile):"),
                                    this);
    defaultLabel->setBuddy(m_default);
    defaultRow->addWidget(defaultLabel);
    defaultRow->addWidget(m_default);
    defaultRow->addStretch(1);

    m_problemsLabel = new QLabel(this);
    m_problemsLabel->setObjectName(QStringLiteral("profileProblems"));
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setTextFormat(Qt::RichText);
    m_problemsLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_saveError = new QLabel(this);
    m_saveError->setObjectName(QStringLiteral("profileSaveError"));
    m_saveError->setWordWrap(true);
    m_saveError->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_saveError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_saveError->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Save)->setObjectName(QStringLiteral("profileSave"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ProfileEditorDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *pathLabel = new QLabel(tr("File: %1").arg(m_path), this);
    pathLabel->setObjectName(QStringLiteral("profilePath"));
    pathLabel->setStyleSheet(QStringLiteral("color: #6b7280;"));
    pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pathLabel->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addLayout(defaultRow);
    layout->addWidget(m_problemsLabel);
    layout->addWidget(m_saveError);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(pathLabel, 1);
    bottom->addWidget(m_buttons);
    layout->addLayout(bottom);

    refreshList();
    selectProfile(m_set.profiles.isEmpty() ? -1 : 0);
    if (const Profile *def = m_set.find(m_set.defaultProfile)) {
        for (qsizetype i = 0; i < m_set.profiles.size(); ++i) {
            if (&m_set.profiles.at(i) == def)
                selectProfile(static_cast<int>(i));
        }
    }
    validate();
    resize(860, 600);
}

QLineEdit *ProfileEditorDialog::fileEdit(QWidget *parent, const QString &objectName, QWidget **row)
{
    auto *container = new QWidget(parent);
    auto *edit = new QLineEdit(container);
    edit->setObjectName(objectName);
    edit->setClearButtonEnabled(true);
    auto *browse = new QToolButton(container);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose a file"));
    connect(browse, &QToolButton::clicked, this, [this, edit] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Choose a file"), edit->text());
        if (!file.isEmpty())
            edit->setText(file);
    });
    auto *layout = new QHBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    *row = container;
    connect(edit, &QLineEdit::textChanged, this, [this] { storeForm(); });
    return edit;
}

QLineEdit *ProfileEditorDialog::secretEdit(QWidget *parent, const QString &objectName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(SecretPlaceholder);
    edit->setToolTip(tr("A reference to the secret, never the secret itself: env:VAR reads an "
                        "environment variable, file:PATH reads a file (mode 0600)."));
    connect(edit, &QLineEdit::textChanged, this, [this] { storeForm(); });
    return edit;
}

QWidget *ProfileEditorDialog::buildForm()
{
    auto *form = new QWidget(this);

    m_name = new QLineEdit(form);
    m_name->setObjectName(QStringLiteral("profileName"));
    connect(m_name, &QLineEdit::textChanged, this, [this] { storeForm(); });
    auto *nameForm = new QFormLayout;
    nameForm->addRow(tr("&Name:"), m_name);

    auto *tabs = new QTabWidget(form);

    // Flink REST
    auto *rest = new QWidget(tabs);
    auto *restForm = new QFormLayout(rest);
    m_restUrl = new QLineEdit(rest);
    m_restUrl->setObjectName(QStringLiteral("restUrl"));
    m_restUrl->setPlaceholderText(QStringLiteral("https://jobmanager.example:8081"));
    connect(m_restUrl, &QLineEdit::textChanged, this, [this] { storeForm(); });
    QWidget *caRow = nullptr;
    QWidget *certRow = nullptr;
    QWidget *keyRow = nullptr;
    m_caFile = fileEdit(rest, QStringLiteral("restCaFile"), &caRow);
    m_caFile->setPlaceholderText(tr("system trust store"));
    m_clientCert = fileEdit(rest, QStringLiteral("restClientCert"), &certRow);
    m_clientKey = fileEdit(rest, QStringLiteral("restClientKey"), &keyRow);
    m_keyPassword = secretEdit(rest, QStringLiteral("restKeyPassword"));
    m_token = secretEdit(rest, QStringLiteral("restToken"));
    m_pin = new QLineEdit(rest);
    m_pin->setObjectName(QStringLiteral("restPin"));
    m_pin->setPlaceholderText(tr("optional SHA-256 of the server certificate (hex)"));
    connect(m_pin, &QLineEdit::textChanged, this, [this] { storeForm(); });
    m_insecure = new QCheckBox(tr("Skip TLS verification (insecure)"), rest);
    m_insecure->setObjectName(QStringLiteral("restInsecure"));
    connect(m_insecure, &QCheckBox::toggled, this, [this](bool on) {
        m_insecure->setStyleSheet(on ? QStringLiteral("color: #c62828; font-weight: bold;")
                                     : QString());
        m_insecure->setText(on ? tr("Skip TLS verification (INSECURE: anyone on the path can "
                                    "read and change the traffic)")
                               : tr("Skip TLS verification (insecure)"));
        storeForm();
    });
    m_connectTimeout = msSpinBox(rest, QStringLiteral("restConnectTimeout"), 1);
    m_readTimeout = msSpinBox(rest, QStringLiteral("restReadTimeout"), 1);
    connect(m_connectTimeout, &QSpinBox::valueChanged, this, [this] { storeForm(); });
    connect(m_readTimeout, &QSpinBox::valueChanged, this, [this] { storeForm(); });
    auto *timeouts = new QHBoxLayout;
    timeouts->addWidget(new QLabel(tr("connect"), rest));
    timeouts->addWidget(m_connectTimeout);
    timeouts->addSpacing(12);
    timeouts->addWidget(new QLabel(tr("read"), rest));
    timeouts->addWidget(m_readTimeout);
    timeouts->addStretch(1);
    restForm->addRow(tr("&URL:"), m_restUrl);
    restForm->addRow(tr("CA file:"), caRow);
    restForm->addRow(tr("Client certificate:"), certRow);
    restForm->addRow(tr("Client key:"), keyRow);
    restForm->addRow(tr("Key password:"), m_keyPassword);
    restForm->addRow(tr("Token:"), m_token);
    restForm->addRow(tr("Pin:"), m_pin);
    restForm->addRow(QString(), m_insecure);
    restForm->addRow(tr("Timeouts:"), timeouts);
    tabs->addTab(rest, tr("Flink REST"));

    // ZooKeeper
    auto *zk = new QWidget(tabs);
    auto *zkForm = new QFormLayout(zk);
    m_zkConnect = new QLineEdit(zk);
    m_zkConnect->setObjectName(QStringLiteral("zkConnect"));
    m_zkConnect->setPlaceholderText(QStringLiteral("zk1:2181,zk2:2181,zk3:2181/solr"));
    connect(m_zkConnect, &QLineEdit::textChanged, this, [this] { storeForm(); });
    m_zkAuth = secretEdit(zk, QStringLiteral("zkAuth"));
    m_zkAuth->setToolTip(m_zkAuth->toolTip() +
                         tr(" The secret is \"user:password\" for digest authentication."));
    m_zkSessionTimeout = msSpinBox(zk, QStringLiteral("zkSessionTimeout"), 1000);
    connect(m_zkSessionTimeout, &QSpinBox::valueChanged, this, [this] { storeForm(); });
    zkForm->addRow(tr("&Connect string:"), m_zkConnect);
    zkForm->addRow(tr("Digest auth:"), m_zkAuth);
    zkForm->addRow(tr("Session timeout:"), m_zkSessionTimeout);
    tabs->addTab(zk, tr("ZooKeeper"));

    // Certificate bundles
    auto *bundles = new QWidget(tabs);
    m_bundles = new QTableWidget(0, BundleColumnCount, bundles);
    m_bundles->setObjectName(QStringLiteral("bundlesTable"));
    m_bundles->setHorizontalHeaderLabels(
        {tr("Path"), tr("Password reference"), tr("Hostname"), tr("Probe host:port")});
    m_bundles->verticalHeader()->hide();
    m_bundles->horizontalHeader()->setSectionResizeMode(BundlePath, QHeaderView::Stretch);
    m_bundles->horizontalHeader()->setSectionResizeMode(BundlePassword,
                                                        QHeaderView::ResizeToContents);
    m_bundles->horizontalHeader()->setSectionResizeMode(BundleHostname,
                                                        QHeaderView::ResizeToContents);
    m_bundles->horizontalHeader()->setSectionResizeMode(BundleProbe, QHeaderView::ResizeToContents);
    connect(m_bundles, &QTableWidget::itemChanged, this, [this] { storeForm(); });
    auto *addBundle = new QPushButton(tr("Add bundle"), bundles);
    addBundle->setObjectName(QStringLiteral("bundleAdd"));
    m_removeBundleButton = new QPushButton(tr("Remove bundle"), bundles);
    m_removeBundleButton->setObjectName(QStringLiteral("bundleRemove"));
    connect(addBundle, &QPushButton::clicked, this, [this] {
        if (m_current < 0)
            return;
        m_set.profiles[m_current].bundles.append(BundleConfig{});
        loadForm();
        validate();
        m_bundles->setCurrentCell(m_bundles->rowCount() - 1, BundlePath);
        m_bundles->editItem(m_bundles->item(m_bundles->rowCount() - 1, BundlePath));
    });
    connect(m_removeBundleButton, &QPushButton::clicked, this, [this] {
        const int row = m_bundles->currentRow();
        if (m_current < 0 || row < 0 || row >= m_set.profiles[m_current].bundles.size())
            return;
        m_set.profiles[m_current].bundles.removeAt(row);
        loadForm();
        validate();
    });
    auto *bundleButtons = new QHBoxLayout;
    bundleButtons->addWidget(addBundle);
    bundleButtons->addWidget(m_removeBundleButton);
    bundleButtons->addStretch(1);
    auto *bundleLayout = new QVBoxLayout(bundles);
    auto *bundleHint = new QLabel(tr("Certificate files or directories to watch. The password is a "
                                     "reference (env:VAR or file:PATH)."),
                                  bundles);
    bundleHint->setWordWrap(true);
    bundleLayout->addWidget(bundleHint);
    bundleLayout->addWidget(m_bundles, 1);
    bundleLayout->addLayout(bundleButtons);
    tabs->addTab(bundles, tr("Certificate bundles"));

    auto *layout = new QVBoxLayout(form);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(nameForm);
    layout->addWidget(tabs, 1);
    return form;
}

void ProfileEditorDialog::selectProfile(int row)
{
    m_current = row;
    m_loading = true;
    m_list->setCurrentRow(row);
    m_loading = false;
    loadForm();
}

void ProfileEditorDialog::setFormEnabled(bool enabled)
{
    m_form->setEnabled(enabled);
    m_duplicateButton->setEnabled(enabled);
    m_removeButton->setEnabled(enabled);
}

void ProfileEditorDialog::loadForm()
{
    m_loading = true;
    const bool valid = m_current >= 0 && m_current < m_set.profiles.size();
    setFormEnabled(valid);
    const Profile p = valid ? m_set.profiles.at(m_current) : Profile{};
    m_name->setText(p.name);
    m_restUrl->setText(p.rest.url);
    m_caFile->setText(p.rest.caFile);
    m_clientCert->setText(p.rest.clientCertFile);
    m_clientKey->setText(p.rest.clientKeyFile);
    m_keyPassword->setText(p.rest.clientKeyPassword.displayString());
    m_token->setText(p.rest.token.displayString());
    m_pin->setText(p.rest.pinSha256);
    m_insecure->setChecked(p.rest.insecure);
    m_connectTimeout->setValue(p.rest.connectTimeoutMs);
    m_readTimeout->setValue(p.rest.readTimeoutMs);
    m_zkConnect->setText(p.zookeeper.connectString);
    m_zkAuth->setText(p.zookeeper.digestAuth.displayString());
    m_zkSessionTimeout->setValue(p.zookeeper.sessionTimeoutMs);
    m_bundles->setRowCount(0);
    m_bundles->setRowCount(static_cast<int>(p.bundles.size()));
    for (qsizetype i = 0; i < p.bundles.size(); ++i) {
        const BundleConfig &b = p.bundles.at(i);
        const int row = static_cast<int>(i);
        m_bundles->setItem(row, BundlePath, new QTableWidgetItem(b.path));
        auto *password = new QTableWidgetItem(b.storePassword.displayString());
        password->setToolTip(SecretPlaceholder);
        m_bundles->setItem(row, BundlePassword, password);
        m_bundles->setItem(row, BundleHostname, new QTableWidgetItem(b.expectedHostname));
        m_bundles->setItem(row, BundleProbe, new QTableWidgetItem(b.probeEndpoint));
    }
    m_removeBundleButton->setEnabled(valid && !p.bundles.isEmpty());
    m_loading = false;
}

void ProfileEditorDialog::storeForm()
{
    if (m_loading || m_current < 0 || m_current >= m_set.profiles.size())
        return;
    Profile &p = m_set.profiles[m_current];
    const QString oldName = p.name;
    p.name = m_name->text();
    p.rest.url = m_restUrl->text().trimmed();
    p.rest.caFile = m_caFile->text().trimmed();
    p.rest.clientCertFile = m_clientCert->text().trimmed();
    p.rest.clientKeyFile = m_clientKey->text().trimmed();
    p.rest.clientKeyPassword = secretFromText(m_keyPassword->text(), p.rest.clientKeyPassword);
    p.rest.token = secretFromText(m_token->text(), p.rest.token);
    p.rest.pinSha256 = m_pin->text().trimmed();
    p.rest.insecure = m_insecure->isChecked();
    p.rest.connectTimeoutMs = m_connectTimeout->value();
    p.rest.readTimeoutMs = m_readTimeout->value();
    p.zookeeper.connectString = m_zkConnect->text().trimmed();
    p.zookeeper.digestAuth = secretFromText(m_zkAuth->text(), p.zookeeper.digestAuth);
    p.zookeeper.sessionTimeoutMs = m_zkSessionTimeout->value();
    QList<BundleConfig> bundles;
    auto cellText = [this](int row, int column) {
        const QTableWidgetItem *item = m_bundles->item(row, column);
        return item ? item->text().trimmed() : QString();
    };
    for (int row = 0; row < m_bundles->rowCount(); ++row) {
        BundleConfig b;
        const SecretRef previous =
            row < p.bundles.size() ? p.bundles.at(row).storePassword : SecretRef{};
        b.path = cellText(row, BundlePath);
        b.storePassword = secretFromText(cellText(row, BundlePassword), previous);
        b.expectedHostname = cellText(row, BundleHostname);
        b.probeEndpoint = cellText(row, BundleProbe);
        bundles << b;
    }
    p.bundles = bundles;
    m_removeBundleButton->setEnabled(!p.bundles.isEmpty());

    if (oldName != p.name) {
        if (!oldName.isEmpty() && m_set.defaultProfile == oldName)
            m_set.defaultProfile = p.name;
        if (QListWidgetItem *item = m_list->item(m_current))
            item->setText(p.name.isEmpty() ? tr("(unnamed)") : p.name);
        refreshDefaultCombo();
    }
    validate();
}

void ProfileEditorDialog::refreshList()
{
    m_loading = true;
    m_list->clear();
    for (const Profile &p : std::as_const(m_set.profiles))
        m_list->addItem(p.name.isEmpty() ? tr("(unnamed)") : p.name);
    m_loading = false;
    refreshDefaultCombo();
}

void ProfileEditorDialog::refreshDefaultCombo()
{
    const bool wasLoading = m_loading;
    m_loading = true;
    m_default->clear();
    m_default->addItem(tr("(none)"), QString());
    for (const Profile &p : std::as_const(m_set.profiles)) {
        if (!p.name.isEmpty())
            m_default->addItem(p.name, p.name);
    }
    const int index = m_default->findData(m_set.defaultProfile);
    if (index < 0)
        m_set.defaultProfile.clear();
    m_default->setCurrentIndex(std::max(0, index));
    m_loading = wasLoading;
}

QStringList ProfileEditorDialog::validateSet(const ProfileSet &set)
{
    QStringList problems;
    QSet<QString> seen;
    QSet<QString> reported;
    auto inlineProblem = [](const QString &label, const QString &field) {
        return tr("%1: %2 holds an inline secret, which opsdeck never stores. Put the secret in "
                  "an environment variable or a file (mode 0600) and enter env:VAR or file:PATH "
                  "instead.")
            .arg(label, field);
    };
    for (qsizetype i = 0; i < set.profiles.size(); ++i) {
        const Profile &p = set.profiles.at(i);
        const QString label = profileLabel(p, i);
        const QStringList own = validateProfile(p);
        for (const QString &problem : own)
            problems << QStringLiteral("%1: %2").arg(label, problem);
        if (!p.name.isEmpty() && seen.contains(p.name) && !reported.contains(p.name)) {
            problems << tr("%1: the name is used by more than one profile").arg(label);
            reported.insert(p.name);
        }
        seen.insert(p.name);
        if (p.rest.token.isInline())
            problems << inlineProblem(label, tr("the REST token"));
        if (p.rest.clientKeyPassword.isInline())
            problems << inlineProblem(label, tr("the client key password"));
        for (auto it = p.rest.headers.begin(); it != p.rest.headers.end(); ++it) {
            if (it.value().isInline())
                problems << inlineProblem(label, tr("the REST header %1").arg(it.key()));
        }
        if (p.zookeeper.digestAuth.isInline())
            problems << inlineProblem(label, tr("the ZooKeeper digest auth"));
        for (qsizetype b = 0; b < p.bundles.size(); ++b) {
            if (p.bundles.at(b).storePassword.isInline())
                problems << inlineProblem(label, tr("the password of bundle %1").arg(b + 1));
        }
    }
    if (!set.defaultProfile.isEmpty() && !seen.contains(set.defaultProfile))
        problems << tr("the default profile '%1' does not exist").arg(set.defaultProfile);
    return problems;
}

void ProfileEditorDialog::highlightFields()
{
    // Tint the fields of the shown profile that have a problem (the list below says which).
    QList<QWidget *> bad;
    if (m_current >= 0 && m_current < m_set.profiles.size()) {
        const Profile &p = m_set.profiles.at(m_current);
        const QStringList problems = validateProfile(p);
        for (const QString &problem : problems) {
            if (problem.startsWith(QLatin1String("name")))
                bad << m_name;
            else if (problem.startsWith(QLatin1String("rest.url")))
                bad << m_restUrl;
            else if (problem.startsWith(QLatin1String("rest.pinSha256")))
                bad << m_pin;
            else if (problem.startsWith(QLatin1String("rest:")))
                bad << m_connectTimeout << m_readTimeout;
            else if (problem.startsWith(QLatin1String("zookeeper.connect")))
                bad << m_zkConnect;
            else if (problem.startsWith(QLatin1String("zookeeper.session")))
                bad << m_zkSessionTimeout;
            else if (problem.startsWith(QLatin1String("bundles")))
                bad << m_bundles;
        }
        int sameName = 0;
        for (const Profile &other : std::as_const(m_set.profiles))
            sameName += other.name == p.name ? 1 : 0;
        if (sameName > 1)
            bad << m_name;
        if (p.rest.token.isInline())
            bad << m_token;
        if (p.rest.clientKeyPassword.isInline())
            bad << m_keyPassword;
        if (p.zookeeper.digestAuth.isInline())
            bad << m_zkAuth;
        for (const BundleConfig &b : p.bundles) {
            if (b.storePassword.isInline())
                bad << m_bundles;
        }
    }
    const QList<QWidget *> fields{
        m_name,      m_restUrl,          m_pin,     m_connectTimeout, m_readTimeout,
        m_zkConnect, m_zkSessionTimeout, m_bundles, m_token,          m_keyPassword,
        m_zkAuth};
    for (QWidget *field : fields) {
        const bool invalid = bad.contains(field);
        if (field->property("invalid").toBool() == invalid)
            continue;
        field->setProperty("invalid", invalid);
        if (invalid) {
            QPalette palette = field->palette();
            palette.setColor(QPalette::Base, QColor(0xfd, 0xec, 0xea));
            field->setPalette(palette);
        } else {
            field->setPalette(QPalette());
        }
    }
}

void ProfileEditorDialog::validate()
{
    highlightFields();
    m_problems = validateSet(m_set);
    QPushButton *saveButton = m_buttons->button(QDialogButtonBox::Save);
    saveButton->setEnabled(m_problems.isEmpty());
    if (m_problems.isEmpty()) {
        m_problemsLabel->setText(QStringLiteral("<span style=\"color:#15803d\">%1</span>")
                                     .arg(m_set.profiles.isEmpty()
                                              ? tr("No profiles yet: add one.")
                                              : tr("All profiles are valid.")));
        return;
    }
    QString html = QStringLiteral("<b style=\"color:#c62828\">%1</b><ul style=\"margin:0\">")
                       .arg(tr("Fix these before saving:"));
    for (const QString &problem : std::as_const(m_problems))
        html += QStringLiteral("<li style=\"color:#c62828\">%1</li>").arg(problem.toHtmlEscaped());
    html += QStringLiteral("</ul>");
    m_problemsLabel->setText(html);
}

QString ProfileEditorDialog::uniqueName(const QString &base) const
{
    QString name = base;
    for (int n = 2; m_set.find(name); ++n)
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    return name;
}

void ProfileEditorDialog::addProfile()
{
    Profile p;
    p.name = uniqueName(QStringLiteral("new-profile"));
    m_set.profiles.append(p);
    refreshList();
    selectProfile(static_cast<int>(m_set.profiles.size() - 1));
    validate();
    m_name->setFocus();
    m_name->selectAll();
}

void ProfileEditorDialog::duplicateProfile()
{
    if (m_current < 0 || m_current >= m_set.profiles.size())
        return;
    Profile copy = m_set.profiles.at(m_current);
    copy.name = uniqueName(copy.name + QStringLiteral("-copy"));
    m_set.profiles.insert(m_current + 1, copy);
    refreshList();
    selectProfile(m_current + 1);
    validate();
}

void ProfileEditorDialog::removeProfile()
{
    if (m_current < 0 || m_current >= m_set.profiles.size())
        return;
    if (m_set.profiles.at(m_current).name == m_set.defaultProfile)
        m_set.defaultProfile.clear();
    m_set.profiles.removeAt(m_current);
    refreshList();
    selectProfile(std::min(m_current, static_cast<int>(m_set.profiles.size()) - 1));
    validate();
}

void ProfileEditorDialog::save()
{
    validate();
    if (!m_problems.isEmpty())
        return;
    m_set.path = m_path;
    const Result<void> saved = ProfileStore::save(m_set, m_path);
    if (!saved) {
        m_saveError->setText(tr("Could not save: %1").arg(saved.error().toString()));
        m_saveError->show();
        return;
    }
    m_saveError->hide();
    m_set.warnings.clear(); // what loading noticed no longer describes the file
    accept();
}

} // namespace opsdeck
