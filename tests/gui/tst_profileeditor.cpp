// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/profilestore.h"
#include "profileeditordialog.h"
#include "screenshot.h"
#include "testmain.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace opsdeck;

namespace {

Profile validProfile(const QString &name)
{
    Profile p;
    p.name = name;
    p.rest.url = QStringLiteral("https://flink.example:8081");
    p.rest.token = SecretRef::fromEnv(QStringLiteral("FLINK_TOKEN"));
    p.zookeeper.connectString = QStringLiteral("zk1:2181,zk2:2181/solr");
    p.bundles.append(BundleConfig{QStringLiteral("/etc/ssl/solr/keystore.p12"),
                                  SecretRef::fromFile(QStringLiteral("/run/secrets/ks")),
                                  QStringLiteral("solr1.example"),
                                  QStringLiteral("solr1.example:8983")});
    return p;
}

ProfileSet validSet()
{
    ProfileSet set;
    set.profiles << validProfile(QStringLiteral("prod")) << validProfile(QStringLiteral("staging"));
    set.profiles[1].bundles.clear();
    set.defaultProfile = QStringLiteral("prod");
    return set;
}

template<typename T> T *child(QWidget *root, const QString &name)
{
    auto *w = root->findChild<T *>(name);
    if (!w)
        qWarning("no child %s", qPrintable(name));
    return w;
}

QPushButton *saveButton(QWidget *dialog)
{
    return child<QPushButton>(dialog, QStringLiteral("profileSave"));
}

QString problemsText(QWidget *dialog)
{
    return child<QLabel>(dialog, QStringLiteral("profileProblems"))->text();
}

QStringList allTexts(QWidget *root)
{
    QStringList texts{root->windowTitle()};
    const auto widgets = root->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        texts << w->toolTip() << w->windowTitle() << w->accessibleName();
        if (auto *label = qobject_cast<QLabel *>(w))
            texts << label->text();
        if (auto *edit = qobject_cast<QLineEdit *>(w))
            texts << edit->text() << edit->placeholderText() << edit->displayText();
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            texts << button->text();
        if (auto *combo = qobject_cast<QComboBox *>(w)) {
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i);
        }
        if (auto *list = qobject_cast<QListWidget *>(w)) {
            for (int i = 0; i < list->count(); ++i)
                texts << list->item(i)->text();
        }
        if (auto *table = qobject_cast<QTableWidget *>(w)) {
            for (int r = 0; r < table->rowCount(); ++r)
                for (int c = 0; c < table->columnCount(); ++c)
                    if (table->item(r, c))
                        texts << table->item(r, c)->text() << table->item(r, c)->toolTip();
        }
    }
    return texts;
}

} // namespace

class TestProfileEditor : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void validSet_enablesSave()
    {
        ProfileEditorDialog dialog(validSet(), m_dir.filePath(QStringLiteral("a.json")));
        QVERIFY(dialog.problems().isEmpty());
        QVERIFY(saveButton(&dialog)->isEnabled());
        QCOMPARE(child<QLineEdit>(&dialog, QStringLiteral("profileName"))->text(),
                 QStringLiteral("prod"));
        QCOMPARE(child<QComboBox>(&dialog, QStringLiteral("defaultProfile"))->currentText(),
                 QStringLiteral("prod"));
    }

    void invalidUrl_disablesSaveAndSaysWhy()
    {
        ProfileEditorDialog dialog(validSet(), m_dir.filePath(QStringLiteral("b.json")));
        child<QLineEdit>(&dialog, QStringLiteral("restUrl"))
            ->setText(QStringLiteral("ftp://flink.example"));
        QVERIFY(!saveButton(&dialog)->isEnabled());
        QVERIFY2(problemsText(&dialog).contains(QStringLiteral("rest.url")),
                 qPrintable(problemsText(&dialog)));
        QVERIFY(problemsText(&dialog).contains(QStringLiteral("scheme must be http or https")));
        auto *url = child<QLineEdit>(&dialog, QStringLiteral("restUrl"));
        QVERIFY(url->property("invalid").toBool()); // the field is marked too
        QVERIFY(
            !child<QLineEdit>(&dialog, QStringLiteral("zkConnect"))->property("invalid").toBool());
        child<QLineEdit>(&dialog, QStringLiteral("restUrl"))
            ->setText(QStringLiteral("http://flink.example:8081"));
        QVERIFY(saveButton(&dialog)->isEnabled());
        QVERIFY(!url->property("invalid").toBool());
    }

    void badConnectString_disablesSave()
    {
        ProfileEditorDialog dialog(validSet(), m_dir.filePath(QStringLiteral("c.json")));
        child<QLineEdit>(&dialog, QStringLiteral("zkConnect"))
            ->setText(QStringLiteral("zk1:notaport"));
        QVERIFY(!saveButton(&dialog)->isEnabled());
        QVERIFY2(problemsText(&dialog).contains(QStringLiteral("zookeeper.connect")),
                 qPrintable(problemsText(&dialog)));
    }

    void inlineSecret_isRefusedWithHowToFix()
    {
        ProfileEditorDialog dialog(validSet(), m_dir.filePath(QStringLiteral("d.json")));
        child<QLineEdit>(&dialog, QStringLiteral("restToken"))->setText(QStringLiteral("hunter2"));
        QVERIFY(!saveButton(&dialog)->isEnabled());
        const QString text = problemsText(&dialog);
        QVERIFY2(text.contains(QStringLiteral("inline secret")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("env:VAR or file:PATH")));
        QVERIFY(!text.contains(QStringLiteral("hunter2")));
        child<QLineEdit>(&dialog, QStringLiteral("restToken"))
            ->setText(QStringLiteral("env:FLINK_TOKEN2"));
        QVERIFY(saveButton(&dialog)->isEnabled());
    }

    void inlineSecretFromFile_isNeverShown()
    {
        const QByteArray json =
            R"({"version":1,"profiles":[{"name":"old","rest":{"url":"https://x.example","token":"literal-canary-93b1"}}]})";
        auto loaded = ProfileStore::fromJson(json, QStringLiteral("mem"));
        QVERIFY(loaded);
        ProfileEditorDialog dialog(loaded.value(), m_dir.filePath(QStringLiteral("e.json")));
        QCOMPARE(child<QLineEdit>(&dialog, QStringLiteral("restToken"))->text(),
                 QStringLiteral("(inline secret)"));
        for (const QString &t : allTexts(&dialog))
            QVERIFY2(!t.contains(QStringLiteral("literal-canary-93b1")), qPrintable(t));
        QVERIFY(!saveButton(&dialog)->isEnabled());
        QVERIFY(problemsText(&dialog).contains(QStringLiteral("inline secret")));
        // Editing another field keeps the inline secret what it was (and still refused).
        child<QLineEdit>(&dialog, QStringLiteral("restUrl"))
            ->setText(QStringLiteral("https://y.example"));
        QVERIFY(dialog.profileSet().profiles.first().rest.token.isInline());
        QVERIFY(!saveButton(&dialog)->isEnabled());
    }

    void duplicateName_disablesSave()
    {
        ProfileEditorDialog dialog(validSet(), m_dir.filePath(QStringLiteral("f.json")));
        dialog.selectProfile(1);
        child<QLineEdit>(&dialog, QStringLiteral("profileName"))->setText(QStringLiteral("prod"));
        QVERIFY(!saveButton(&dialog)->isEnabled());
        QVERIFY(problemsText(&dialog).contains(QStringLiteral("more than one profile")));
    }

    void addDuplicateRemove_editTheList()
    {
        ProfileEditorDialog dialog(validSet(), m_dir.filePath(QStringLiteral("g.json")));
        auto *list = child<QListWidget>(&dialog, QStringLiteral("profileList"));
        QCOMPARE(list->count(), 2);
        child<QPushButton>(&dialog, QStringLiteral("profileAdd"))->click();
        QCOMPARE(list->count(), 3);
        QCOMPARE(child<QLineEdit>(&dialog, QStringLiteral("profileName"))->text(),
                 QStringLiteral("new-profile"));
        QVERIFY(saveButton(&dialog)->isEnabled()); // an empty profile is valid
        dialog.selectProfile(0);
        child<QPushButton>(&dialog, QStringLiteral("profileDuplicate"))->click();
        QCOMPARE(list->count(), 4);
        QCOMPARE(dialog.profileSet().profiles.at(1).name, QStringLiteral("prod-copy"));
        QCOMPARE(dialog.profileSet().profiles.at(1).rest, dialog.profileSet().profiles.at(0).rest);
        dialog.selectProfile(0);
        child<QPushButton>(&dialog, QStringLiteral("profileRemove"))->click();
        QCOMPARE(list->count(), 3);
        QVERIFY(!dialog.profileSet().find(QStringLiteral("prod")));
        QVERIFY(dialog.profileSet().defaultProfile.isEmpty()); // the default was removed
    }

    void validEdit_savesFileThatLoadsBackEqual()
    {
        const QString path = m_dir.filePath(QStringLiteral("sub/profiles.json"));
        ProfileEditorDialog dialog(validSet(), path);
        child<QLineEdit>(&dialog, QStringLiteral("profileName"))
            ->setText(QStringLiteral("production"));
        child<QLineEdit>(&dialog, QStringLiteral("restUrl"))
            ->setText(QStringLiteral("https://jm.example:8443"));
        child<QLineEdit>(&dialog, QStringLiteral("zkAuth"))
            ->setText(QStringLiteral("file:/run/secrets/zk"));
        child<QCheckBox>(&dialog, QStringLiteral("restInsecure"))->setChecked(true);
        auto *bundles = child<QTableWidget>(&dialog, QStringLiteral("bundlesTable"));
        child<QPushButton>(&dialog, QStringLiteral("bundleAdd"))->click();
        QCOMPARE(bundles->rowCount(), 2);
        bundles->item(1, 0)->setText(QStringLiteral("/etc/ssl/new.pem"));
        bundles->item(1, 3)->setText(QStringLiteral("new.example:443"));
        QVERIFY2(saveButton(&dialog)->isEnabled(), qPrintable(problemsText(&dialog)));
        // The default followed the rename.
        QCOMPARE(dialog.profileSet().defaultProfile, QStringLiteral("production"));

        saveButton(&dialog)->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(QFile::exists(path));
        QCOMPARE(QFile::permissions(path) &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        const auto loaded = ProfileStore::load(path);
        QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().toString()));
        const ProfileSet edited = dialog.profileSet();
        QCOMPARE(loaded->profiles.size(), 2);
        QVERIFY(loaded->profiles == edited.profiles);
        QCOMPARE(loaded->defaultProfile, QStringLiteral("production"));
        const Profile &p = loaded->profiles.first();
        QCOMPARE(p.rest.url, QStringLiteral("https://jm.example:8443"));
        QVERIFY(p.rest.insecure);
        QCOMPARE(p.zookeeper.digestAuth.displayString(), QStringLiteral("file:/run/secrets/zk"));
        QCOMPARE(p.bundles.at(1).probeEndpoint, QStringLiteral("new.example:443"));
    }

    void saveFailure_isReportedInTheDialog()
    {
        ProfileEditorDialog dialog(validSet(),
                                   QStringLiteral("/proc/opsdeck-cannot-exist/profiles.json"));
        saveButton(&dialog)->click();
        QVERIFY(dialog.result() != QDialog::Accepted);
        auto *error = child<QLabel>(&dialog, QStringLiteral("profileSaveError"));
        QVERIFY(!error->isHidden());
        QVERIFY2(error->text().contains(QStringLiteral("/proc/opsdeck-cannot-exist")),
                 qPrintable(error->text()));
    }

    void secretReferences_areShownButNeverResolved()
    {
        const QString canary = QStringLiteral("canary-value-51e7f0");
        qputenv("OPSDECK_TST_CANARY", canary.toUtf8());
        const QString secretFile = m_dir.filePath(QStringLiteral("secret.txt"));
        {
            QFile f(secretFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(canary.toUtf8() + "\n");
        }
        ProfileSet set = validSet();
        set.profiles[0].rest.token = SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_CANARY"));
        set.profiles[0].rest.clientKeyPassword = SecretRef::fromFile(secretFile);
        set.profiles[0].zookeeper.digestAuth =
            SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_CANARY"));
        set.profiles[0].bundles[0].storePassword = SecretRef::fromFile(secretFile);
        ProfileEditorDialog dialog(set, m_dir.filePath(QStringLiteral("h.json")));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(child<QLineEdit>(&dialog, QStringLiteral("restToken"))->text(),
                 QStringLiteral("env:OPSDECK_TST_CANARY"));
        QCOMPARE(child<QLineEdit>(&dialog, QStringLiteral("restKeyPassword"))->text(),
                 QStringLiteral("file:") + secretFile);
        QCOMPARE(child<QTableWidget>(&dialog, QStringLiteral("bundlesTable"))->item(0, 1)->text(),
                 QStringLiteral("file:") + secretFile);
        const QStringList texts = allTexts(&dialog);
        QVERIFY(texts.size() > 50);
        for (const QString &t : texts)
            QVERIFY2(!t.contains(canary), qPrintable(t));
    }

    void screenshot_profileEditor()
    {
        ProfileSet set = validSet();
        set.profiles[0].rest.caFile = QStringLiteral("/etc/opsdeck/prod-ca.pem");
        set.profiles[0].rest.clientCertFile = QStringLiteral("/etc/opsdeck/opsdeck-client.pem");
        set.profiles[0].rest.clientKeyFile = QStringLiteral("/etc/opsdeck/opsdeck-client.key");
        set.profiles[0].rest.clientKeyPassword =
            SecretRef::fromFile(QStringLiteral("/run/secrets/client-key"));
        set.profiles << validProfile(QStringLiteral("lab"));
        set.profiles[2].rest.insecure = true;
        ProfileEditorDialog dialog(set, QStringLiteral("~/.config/opsdeck/profiles.json"));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // One problem on show, so the screenshot shows how problems look.
        child<QLineEdit>(&dialog, QStringLiteral("restToken"))->setText(QStringLiteral("s3cr3t"));
        QVERIFY(!saveButton(&dialog)->isEnabled());
        const QString path =
            opsdeck::test::saveScreenshot(&dialog, QStringLiteral("profileeditor"));
        QVERIFY(!path.isEmpty());
        qInfo("screenshot: %s", qPrintable(path));
    }
};

OPSDECK_TEST_GUI_MAIN(TestProfileEditor)
#include "tst_profileeditor.moc"
