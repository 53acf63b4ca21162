#include "searchpanel.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace edanas::ui {

namespace {

// settings keys, with the defaults the fields start with
const QString kEncodingKey = QStringLiteral("search/encoding");
const QString kPopulationKey = QStringLiteral("search/population");
const QString kGenerationsKey = QStringLiteral("search/generations");
const QString kValidationKey = QStringLiteral("search/validationImages");
const QString kRecalibrationKey = QStringLiteral("search/recalibrationImages");
const QString kTrueCostKey = QStringLiteral("search/trueCost");
const QString kSeedKey = QStringLiteral("search/seed");

QSpinBox *spinBox(QWidget *parent, const char *name, int lo, int hi, int value, const QString &tip)
{
    auto *s = new QSpinBox(parent);
    s->setObjectName(QString::fromLatin1(name));
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    s->setGroupSeparatorShown(true);
    return s;
}

} // namespace

SearchPanel::SearchPanel(QWidget *parent)
    : QWidget(parent)
    , m_encoding(new QComboBox(this))
    , m_population(spinBox(this, "population", 2, 100000, 20, tr("Candidates per generation")))
    , m_generations(spinBox(this, "generations", 1, 1000000, 30, tr("Generations to run (the search may stop "
                                                                     "earlier when the hypervolume stalls)")))
    , m_validationImages(spinBox(this, "validationImages", 0, 100000000, 2000,
                                 tr("Validation images each candidate is profiled on (0: the whole "
                                    "validation split); at 2,000 an accuracy near 90 % has a standard "
                                    "error of about 0.7 points")))
    , m_recalibrationImages(spinBox(this, "recalibrationImages", 1, 100000000, 500,
                                    tr("Training images for each candidate's batch-norm recalibration")))
    , m_cost(new QComboBox(this))
    , m_seed(spinBox(this, "seed", 0, 1 << 30, 1, tr("Seed of the search (same seed, same search)")))
    , m_studyPath(new QLineEdit(this))
    , m_browse(new QToolButton(this))
    , m_constraints(new QLabel(this))
    , m_start(new QPushButton(tr("Start"), this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_resume(new QPushButton(tr("Resume"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_progress(new QProgressBar(this))
    , m_rate(new QLabel(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("searchPanel"));

    m_encoding->setObjectName(QStringLiteral("encoding"));
    m_encoding->addItem(tr("Studio (exits anywhere, tuned thresholds)"), int(search::EncodingKind::Studio));
    m_encoding->addItem(tr("EDANAS (stage ends, thresholds 0.1/0.2)"), int(search::EncodingKind::Edanas));
    m_encoding->addItem(tr("NACHOS (binary exits, tuned thresholds)"), int(search::EncodingKind::Nachos));
    m_encoding->addItem(tr("Static (no exits: the baseline)"), int(search::EncodingKind::Static));
    m_encoding->setToolTip(tr("How exits are encoded and searched (see METHOD.md)"));
    m_encoding->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_encoding->setMinimumContentsLength(16);
    m_cost->setObjectName(QStringLiteral("searchCost"));
    m_cost->addItem(tr("True (every exit passed counts)"), true);
    m_cost->addItem(tr("Paper's (only the exit taken)"), false);
    m_cost->setToolTip(tr("The average-MACs objective the search minimises"));

    m_studyPath->setObjectName(QStringLiteral("studyPath"));
    m_studyPath->setToolTip(tr("The study file the search writes; it must not exist yet"));
    m_browse->setText(QStringLiteral("…"));
    m_browse->setToolTip(tr("Choose where to write the study"));
    connect(m_browse, &QToolButton::clicked, this, &SearchPanel::chooseStudyPath);
    connect(m_studyPath, &QLineEdit::textEdited, this, [this] { m_autoPath = false; });
    auto *pathRow = new QHBoxLayout;
    pathRow->setContentsMargins(0, 0, 0, 0);
    pathRow->addWidget(m_studyPath, 1);
    pathRow->addWidget(m_browse);

    auto *settingsBox = new QGroupBox(tr("Settings"), this);
    auto *form = new QFormLayout(settingsBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Encoding:"), m_encoding);
    form->addRow(tr("&Population:"), m_population);
    form->addRow(tr("&Generations:"), m_generations);
    form->addRow(tr("&Validation images:"), m_validationImages);
    form->addRow(tr("&Recalibration images:"), m_recalibrationImages);
    form->addRow(tr("&Cost measure:"), m_cost);
    form->addRow(tr("Se&ed:"), m_seed);
    auto *pathLabel = new QLabel(tr("&Study file:"), settingsBox);
    pathLabel->setBuddy(m_studyPath);
    form->addRow(pathLabel, pathRow);
    m_constraints->setObjectName(QStringLiteral("constraintsLabel"));
    m_constraints->setWordWrap(true);
    m_constraints->setToolTip(tr("Drag the dashed lines on the Pareto plot to change the constraints, "
                                 "before or during a search"));
    form->addRow(tr("Constraints:"), m_constraints);

    m_start->setObjectName(QStringLiteral("startButton"));
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_resume->setObjectName(QStringLiteral("resumeButton"));
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_resume->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_start->setToolTip(tr("Start a new search with these settings (F5)"));
    m_pause->setToolTip(tr("Pause after the candidate being evaluated (F6)"));
    m_resume->setToolTip(tr("Resume the paused search (F7)"));
    m_stop->setToolTip(tr("Stop after the candidate being evaluated; everything evaluated stays in the study (Shift+F5)"));
    connect(m_start, &QPushButton::clicked, this, &SearchPanel::startRequested);
    connect(m_pause, &QPushButton::clicked, this, &SearchPanel::pauseRequested);
    connect(m_resume, &QPushButton::clicked, this, &SearchPanel::resumeRequested);
    connect(m_stop, &QPushButton::clicked, this, &SearchPanel::stopRequested);

    auto *runBox = new QGroupBox(tr("Run"), this);
    auto *buttons = new QGridLayout;
    buttons->addWidget(m_start, 0, 0);
    buttons->addWidget(m_stop, 0, 1);
    buttons->addWidget(m_pause, 1, 0);
    buttons->addWidget(m_resume, 1, 1);
    m_progress->setObjectName(QStringLiteral("searchProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p %"));
    m_rate->setObjectName(QStringLiteral("searchRate"));
    m_status->setObjectName(QStringLiteral("searchStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *run = new QVBoxLayout(runBox);
    run->addLayout(buttons);
    run->addWidget(m_progress);
    run->addWidget(m_rate);
    run->addWidget(m_status);

    m_rate->setWordWrap(true);

    // The settings scroll when the dock is short; the run controls and the progress
    // stay in view below them.
    auto *settingsPage = new QWidget;
    auto *settingsLayout = new QVBoxLayout(settingsPage);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    settingsLayout->addWidget(settingsBox);
    settingsLayout->addStretch(1);
    auto *settingsScroll = new QScrollArea(this);
    settingsScroll->setObjectName(QStringLiteral("searchSettingsScroll"));
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    settingsScroll->setWidget(settingsPage);
    settingsScroll->setMinimumWidth(settingsPage->minimumSizeHint().width()
                                    + style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    settingsScroll->setMinimumHeight(3 * fontMetrics().height() + 24);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(settingsScroll, 1);
    layout->addWidget(runBox);

    proposeNewStudyPath();
    setConstraints(std::numeric_limits<double>::infinity(), 0.0);
    setState(SearchController::State::Idle);
    m_status->setText(tr("Ready. The search runs on the open data set and supernet."));
}

search::SearchConfig SearchPanel::config() const
{
    search::SearchConfig c;
    c.encoding = search::EncodingKind(m_encoding->currentData().toInt());
    c.population = m_population->value();
    c.generations = m_generations->value();
    c.validationImages = m_validationImages->value();
    c.recalibrationImages = m_recalibrationImages->value();
    c.trueCost = m_cost->currentData().toBool();
    c.seed = std::uint64_t(m_seed->value());
    return c;
}

void SearchPanel::setConfig(const search::SearchConfig &c)
{
    m_encoding->setCurrentIndex(std::max(0, m_encoding->findData(int(c.encoding))));
    m_population->setValue(c.population);
    m_generations->setValue(c.generations);
    m_validationImages->setValue(int(std::min<std::int64_t>(c.validationImages, m_validationImages->maximum())));
    m_recalibrationImages->setValue(int(std::min<std::int64_t>(c.recalibrationImages, m_recalibrationImages->maximum())));
    m_cost->setCurrentIndex(c.trueCost ? 0 : 1);
    m_seed->setValue(int(std::min<std::uint64_t>(c.seed, std::uint64_t(m_seed->maximum()))));
}

QString SearchPanel::studyPath() const
{
    return m_studyPath->text().trimmed();
}

void SearchPanel::setStudyPath(const QString &path)
{
    m_studyPath->setText(path);
    m_autoPath = false;
}

QString SearchPanel::defaultStudyFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/studies");
}

void SearchPanel::proposeNewStudyPath()
{
    if (!m_autoPath && !studyPath().isEmpty() && !QFileInfo::exists(studyPath()))
        return; // the user's own choice, still unused
    m_studyPath->setText(defaultStudyFolder() + QStringLiteral("/study-")
                         + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))
                         + QStringLiteral(".edanas"));
    m_autoPath = true;
}

void SearchPanel::chooseStudyPath()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Write the study to"), studyPath(),
                                                      tr("EDANAS studies (*.edanas);;All files (*)"), nullptr,
                                                      QFileDialog::DontConfirmOverwrite);
    if (!path.isEmpty())
        setStudyPath(path);
}

void SearchPanel::setConstraints(double maxMacs, double minAccuracy)
{
    const QString ceiling = std::isfinite(maxMacs) ? tr("average MACs ≤ %1 M").arg(maxMacs / 1e6, 0, 'f', 3)
                                                   : tr("no MAC ceiling");
    const QString floor = minAccuracy > 0 ? tr("accuracy ≥ %1 %").arg(100.0 * minAccuracy, 0, 'f', 1)
                                          : tr("no accuracy floor");
    m_constraints->setText(ceiling + QStringLiteral(", ") + floor);
}

void SearchPanel::setState(SearchController::State state)
{
    using S = SearchController::State;
    if (state == S::Paused && m_state != S::Paused)
        m_pauseStarted = m_clock.isValid() ? m_clock.elapsed() : -1;
    if (state != S::Paused && m_state == S::Paused && m_pauseStarted >= 0 && m_clock.isValid()) {
        m_pausedMs += m_clock.elapsed() - m_pauseStarted;
        m_pauseStarted = -1;
    }
    m_state = state;
    const bool idle = state == S::Idle;
    m_start->setEnabled(idle);
    m_pause->setEnabled(state == S::Running || state == S::Starting);
    m_resume->setEnabled(state == S::Paused);
    m_stop->setEnabled(state == S::Running || state == S::Paused || state == S::Starting);
    for (QWidget *w : {static_cast<QWidget *>(m_encoding), static_cast<QWidget *>(m_population),
                       static_cast<QWidget *>(m_generations), static_cast<QWidget *>(m_validationImages),
                       static_cast<QWidget *>(m_recalibrationImages), static_cast<QWidget *>(m_cost),
                       static_cast<QWidget *>(m_seed), static_cast<QWidget *>(m_studyPath),
                       static_cast<QWidget *>(m_browse)})
        w->setEnabled(idle);
    switch (state) {
    case S::Idle: break;
    case S::Starting:
        m_status->setText(tr("Loading the supernet and preparing the validation images…"));
        m_progress->setValue(0);
        m_rate->clear();
        break;
    case S::Running: m_status->setText(tr("Searching.")); break;
    case S::Paused: m_status->setText(tr("Paused (after the candidate being evaluated).")); break;
    case S::Stopping: m_status->setText(tr("Stopping after the candidate being evaluated…")); break;
    }
}

void SearchPanel::searchOpened(const search::SearchConfig &config, qint64 validationImages)
{
    m_totalGenerations = config.generations;
    m_populationSize = config.population;
    m_generationsDone = 0;
    m_inGeneration = 0;
    m_evaluated = 0;
    m_hypervolume = 0.0;
    m_pausedMs = 0;
    m_pauseStarted = -1;
    m_clock.start();
    m_status->setText(tr("Searching: %1 candidates per generation, %2 generations, %3 validation images each.")
                          .arg(config.population)
                          .arg(config.generations)
                          .arg(validationImages));
    updateProgress();
}

void SearchPanel::addCandidate(const search::CandidateSnapshot &candidate)
{
    Q_UNUSED(candidate)
    ++m_evaluated;
    ++m_inGeneration;
    updateProgress();
}

void SearchPanel::addGeneration(const search::GenerationSnapshot &generation)
{
    m_generationsDone = generation.generation + 1;
    m_inGeneration = 0;
    m_hypervolume = generation.hypervolume;
    updateProgress();
}

void SearchPanel::searchFinished(SearchWorker::Outcome outcome)
{
    switch (outcome) {
    case SearchWorker::Outcome::Finished:
        m_progress->setValue(m_progress->maximum());
        m_status->setText(tr("Finished: %1 candidates evaluated.").arg(m_evaluated));
        break;
    case SearchWorker::Outcome::Stalled:
        m_progress->setValue(m_progress->maximum());
        m_status->setText(tr("Stopped early: the hypervolume stopped improving (%1 candidates evaluated).")
                              .arg(m_evaluated));
        break;
    case SearchWorker::Outcome::Stopped:
        m_status->setText(tr("Stopped: the %1 candidates evaluated are in the study.").arg(m_evaluated));
        break;
    case SearchWorker::Outcome::Failed:
        m_status->setText(tr("The search could not run (see the log)."));
        break;
    }
    m_rate->clear();
    m_clock.invalidate();
}

QString SearchPanel::progressText() const
{
    return m_rate->text();
}

void SearchPanel::updateProgress()
{
    if (m_totalGenerations <= 0 || m_populationSize <= 0)
        return;
    const double generationShare = std::min(1.0, double(m_inGeneration) / m_populationSize);
    const double done = std::min(1.0, (m_generationsDone + generationShare) / m_totalGenerations);
    m_progress->setValue(int(std::lround(done * m_progress->maximum())));

    const qint64 paused = m_pausedMs + (m_pauseStarted >= 0 ? m_clock.elapsed() - m_pauseStarted : 0);
    const double minutes = m_clock.isValid() ? (m_clock.elapsed() - paused) / 60000.0 : 0.0;
    QString text = tr("Generation %1 of %2").arg(std::min(m_generationsDone + 1, m_totalGenerations)).arg(m_totalGenerations);
    if (m_evaluated > 0 && minutes > 0) {
        const double rate = m_evaluated / minutes;
        const double remaining = std::max(0.0, double(m_totalGenerations) * m_populationSize
                                                   - (double(m_generationsDone) * m_populationSize + m_inGeneration));
        text += tr(" · %1 candidates/min · about %2 left")
                    .arg(rate, 0, 'f', rate < 10 ? 1 : 0)
                    .arg(formatDuration(60.0 * remaining / rate));
    }
    if (m_generationsDone > 0)
        text += tr(" · hypervolume %1").arg(m_hypervolume, 0, 'f', 4);
    m_rate->setText(text);
}

void SearchPanel::saveSettings(QSettings &settings) const
{
    const auto c = config();
    settings.setValue(kEncodingKey, QString::fromStdString(search::encodingName(c.encoding)));
    settings.setValue(kPopulationKey, c.population);
    settings.setValue(kGenerationsKey, c.generations);
    settings.setValue(kValidationKey, qint64(c.validationImages));
    settings.setValue(kRecalibrationKey, qint64(c.recalibrationImages));
    settings.setValue(kTrueCostKey, c.trueCost);
    settings.setValue(kSeedKey, qulonglong(c.seed));
}

void SearchPanel::restoreSettings(const QSettings &settings)
{
    search::SearchConfig c = config(); // the fields' defaults
    try {
        c.encoding = search::parseEncoding(
            settings.value(kEncodingKey, QString::fromStdString(search::encodingName(c.encoding))).toString().toStdString());
    } catch (const std::invalid_argument &) {
        // a stale value: keep the default
    }
    c.population = settings.value(kPopulationKey, c.population).toInt();
    c.generations = settings.value(kGenerationsKey, c.generations).toInt();
    c.validationImages = settings.value(kValidationKey, qint64(c.validationImages)).toLongLong();
    c.recalibrationImages = settings.value(kRecalibrationKey, qint64(c.recalibrationImages)).toLongLong();
    c.trueCost = settings.value(kTrueCostKey, c.trueCost).toBool();
    c.seed = settings.value(kSeedKey, qulonglong(c.seed)).toULongLong();
    setConfig(c); // the spin boxes clamp out-of-range values
}

} // namespace edanas::ui
