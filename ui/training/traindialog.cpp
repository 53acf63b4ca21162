#include "traindialog.h"

#include "ui/jobs/jobrunner.h"
#include "ui/search/searchtypes.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace edanas::ui {

TrainDialog::TrainDialog(const QString &datasetName, qint64 trainingImages, int channels, int classes,
                         const QString &defaultOut, QWidget *parent)
    : QDialog(parent)
    , m_space(new QComboBox(this))
    , m_images(new QSpinBox(this))
    , m_batch(new QSpinBox(this))
    , m_seed(new QSpinBox(this))
    , m_evalImages(new QSpinBox(this))
    , m_recalImages(new QSpinBox(this))
    , m_out(new QLineEdit(defaultOut, this))
    , m_summary(new QLabel(this))
    , m_estimate(new QLabel(this))
    , m_trainingImages(trainingImages)
    , m_channels(channels)
    , m_classes(classes)
    , m_measureTimer(new QTimer(this))
    , m_jobs(new JobRunner(this))
{
    setObjectName(QStringLiteral("trainDialog"));
    setWindowTitle(tr("Train a supernet on %1").arg(datasetName));
    const supernet::TrainConfig defaults;
    m_space->setObjectName(QStringLiteral("trainSpace"));
    m_space->addItem(tr("ofa-mbv3 (Once-for-All MobileNetV3, the papers' space)"), QStringLiteral("ofa-mbv3"));
    m_space->addItem(tr("mbv3-small-input (the same blocks, strides for 28-32 px images)"),
                     QStringLiteral("mbv3-small-input"));
    m_space->addItem(tr("tiny (a few minutes; for trying things out)"), QStringLiteral("tiny"));
    auto *epochs = new QHBoxLayout;
    const QString phases[4] = {tr("largest"), tr("kernel"), tr("depth"), tr("expansion")};
    for (int i = 0; i < 4; ++i) {
        m_epochs[i] = new QSpinBox(this);
        m_epochs[i]->setObjectName(QStringLiteral("trainEpochs%1").arg(i));
        m_epochs[i]->setRange(0, 100);
        m_epochs[i]->setValue(defaults.phaseEpochs[std::size_t(i)]);
        m_epochs[i]->setToolTip(tr("Epochs of the %1 phase").arg(phases[i]));
        epochs->addWidget(m_epochs[i]);
    }
    m_images->setObjectName(QStringLiteral("trainImages"));
    m_images->setRange(0, 10'000'000);
    m_images->setSpecialValueText(tr("all (%L1)").arg(trainingImages));
    m_images->setValue(0);
    m_batch->setObjectName(QStringLiteral("trainBatch"));
    m_batch->setRange(1, 4096);
    m_batch->setValue(defaults.batchSize);
    m_seed->setObjectName(QStringLiteral("trainSeed"));
    m_seed->setRange(0, 1 << 30);
    m_evalImages->setObjectName(QStringLiteral("trainEvalImages"));
    m_evalImages->setRange(0, 1'000'000);
    m_evalImages->setSpecialValueText(tr("all"));
    m_evalImages->setValue(2000);
    m_recalImages->setObjectName(QStringLiteral("trainRecalibrationImages"));
    m_recalImages->setRange(1, 1'000'000);
    m_recalImages->setValue(int(defaults.recalibrationImages));
    m_out->setObjectName(QStringLiteral("trainOut"));
    // the default file is named for the space, until the user names one
    connect(m_out, &QLineEdit::textEdited, this, [this] { m_outEdited = true; });
    connect(m_space, &QComboBox::currentIndexChanged, this, [this] {
        if (m_outEdited)
            return;
        const QFileInfo f(m_out->text());
        const QString stem = f.completeBaseName();
        for (int i = 0; i < m_space->count(); ++i) {
            const QString suffix = QLatin1Char('-') + m_space->itemData(i).toString();
            if (stem.endsWith(suffix)) {
                m_out->setText(f.dir().filePath(stem.left(stem.size() - suffix.size()) + QLatin1Char('-') + space()
                                                + QStringLiteral(".pt")));
                return;
            }
        }
    });
    auto *browse = new QPushButton(tr("..."), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save the supernet as"), m_out->text(),
                                                       tr("Supernet checkpoints (*.pt)"));
        if (!p.isEmpty()) {
            m_out->setText(p);
            m_outEdited = true;
        }
    });
    auto *outRow = new QHBoxLayout;
    outRow->addWidget(m_out, 1);
    outRow->addWidget(browse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Space:"), m_space);
    form->addRow(tr("Epochs (largest, kernel, depth, expansion):"), epochs);
    form->addRow(tr("&Training images per epoch:"), m_images);
    form->addRow(tr("&Batch size:"), m_batch);
    form->addRow(tr("S&eed:"), m_seed);
    form->addRow(tr("&Validation images per epoch:"), m_evalImages);
    form->addRow(tr("&Recalibration images:"), m_recalImages);
    form->addRow(tr("Save as:"), outRow);
    m_summary->setObjectName(QStringLiteral("trainSummary"));
    m_summary->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Train"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    m_estimate->setObjectName(QStringLiteral("trainEstimate"));
    m_estimate->setWordWrap(true);
    layout->addWidget(m_estimate);
    layout->addWidget(buttons);
    for (QSpinBox *s : {m_images, m_batch, m_epochs[0], m_epochs[1], m_epochs[2], m_epochs[3]})
        connect(s, &QSpinBox::valueChanged, this, &TrainDialog::updateSummary);
    // the rates depend on the space and the batch size: measured again when they change
    m_measureTimer->setSingleShot(true);
    m_measureTimer->setInterval(300);
    connect(m_measureTimer, &QTimer::timeout, this, &TrainDialog::measure);
    connect(m_space, &QComboBox::currentIndexChanged, m_measureTimer, qOverload<>(&QTimer::start));
    connect(m_batch, &QSpinBox::valueChanged, m_measureTimer, qOverload<>(&QTimer::start));
    updateSummary();
    m_measureTimer->start(0);
}

TrainDialog::~TrainDialog() = default;

std::int64_t TrainDialog::imagesPerEpoch() const
{
    return m_images->value() > 0 ? std::min<qint64>(m_images->value(), m_trainingImages) : m_trainingImages;
}

void TrainDialog::measure()
{
    if (m_measuring) { // one at a time; the latest settings are measured next
        m_remeasure = true;
        return;
    }
    m_haveEstimate = false;
    updateSummary();
    space::SearchSpace sp;
    try {
        sp = space::SearchSpace::load(space().toStdString());
    } catch (const std::exception &e) {
        m_estimate->setText(QString::fromStdString(e.what()));
        return;
    }
    sp.inputChannels = m_channels;
    sp.classes = m_classes;
    const supernet::TrainConfig cfg = config();
    m_measuring = true;
    auto estimate = std::make_shared<supernet::TrainingEstimate>();
    JobRunner::Options options;
    options.cancellable = false; // seconds; the dialog waits for it when it goes
    options.lowPriority = true;
    m_jobs->start(
        tr("Estimating the training time"), [sp, cfg, estimate](const JobContext &) {
            *estimate = supernet::estimateTraining(sp, cfg, 1);
        },
        [this, estimate](Job::Outcome, const QString &error) { onMeasured(*estimate, error); }, options);
}

void TrainDialog::onMeasured(const supernet::TrainingEstimate &e, const QString &error)
{
    m_measuring = false;
    if (m_remeasure) {
        m_remeasure = false;
        measure();
        return;
    }
    if (!error.isEmpty()) {
        m_estimate->setText(tr("The time could not be estimated: %1").arg(error));
        return;
    }
    m_rates = e;
    m_haveEstimate = true;
    updateSummary();
}

double TrainDialog::estimatedSeconds() const
{
    if (!m_haveEstimate)
        return 0.0;
    supernet::TrainingEstimate e = m_rates;
    supernet::scheduleTraining(e, config(), imagesPerEpoch());
    return e.seconds;
}

QString TrainDialog::estimateText() const
{
    return m_estimate->text();
}

void TrainDialog::updateSummary()
{
    const qint64 perEpoch = imagesPerEpoch();
    if (m_haveEstimate)
        m_estimate->setText(tr("<b>About %1</b> on this machine: training steps measured just now at %2 images/s "
                               "(largest subnet) and %3 (smallest), scaled to the schedule; the evaluation after "
                               "each epoch comes on top, and other work on the machine slows it.")
                                .arg(formatDuration(estimatedSeconds()))
                                .arg(m_rates.largestImagesPerSecond, 0, 'f', 0)
                                .arg(m_rates.smallestImagesPerSecond, 0, 'f', 0));
    else
        m_estimate->setText(tr("Measuring this machine's training speed…"));
    int total = 0;
    for (auto *e : m_epochs)
        total += e->value();
    m_summary->setText(tr("%1 epochs of %L2 images, %L3 steps of %4. The checkpoint is written after every epoch; "
                          "an unfinished training at that file with the same settings resumes after its last "
                          "complete epoch. docs/SUPERNET.md gives the time the shipped supernets took.")
                           .arg(total)
                           .arg(perEpoch)
                           .arg(qint64(total) * ((perEpoch + m_batch->value() - 1) / m_batch->value()))
                           .arg(m_batch->value()));
}

QString TrainDialog::space() const
{
    return m_space->currentData().toString();
}

QString TrainDialog::outPath() const
{
    return m_out->text().trimmed();
}

supernet::TrainConfig TrainDialog::config() const
{
    supernet::TrainConfig c;
    c.phaseEpochs.clear();
    for (auto *e : m_epochs)
        c.phaseEpochs.push_back(e->value());
    c.trainImages = m_images->value();
    c.batchSize = m_batch->value();
    c.seed = std::uint64_t(m_seed->value());
    c.evalImages = m_evalImages->value();
    c.recalibrationImages = m_recalImages->value();
    return c;
}

void TrainDialog::setSpace(const QString &name)
{
    m_space->setCurrentIndex(std::max(0, m_space->findData(name)));
}

void TrainDialog::setEpochs(const std::vector<int> &perPhase)
{
    for (int i = 0; i < 4 && i < int(perPhase.size()); ++i)
        m_epochs[i]->setValue(perPhase[std::size_t(i)]);
}

void TrainDialog::setImagesPerEpoch(int images)
{
    m_images->setValue(images);
}

void TrainDialog::setBatchSize(int batch)
{
    m_batch->setValue(batch);
}

void TrainDialog::setOutPath(const QString &path)
{
    m_out->setText(path);
    m_outEdited = true;
}

void TrainDialog::setEvaluationImages(int images, int recalibrationImages)
{
    m_evalImages->setValue(images);
    m_recalImages->setValue(recalibrationImages);
}

} // namespace edanas::ui
