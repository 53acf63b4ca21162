#include "trainingview.h"

#include "ui/search/searchtypes.h"

#include "trainingjob.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace edanas::ui {

namespace {

QCustomPlot *makePlot(const QString &objectName, const QString &x, const QString &y, QWidget *parent)
{
    auto *p = new QCustomPlot(parent);
    p->setObjectName(objectName);
    p->setMinimumHeight(150);
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->legend->setVisible(false);
    p->setMinimumWidth(220);
    return p;
}

// exits of one subnet: colours along a gradient, the head black
QColor exitColour(int i, int n)
{
    if (n <= 1)
        return Qt::black;
    return QColor::fromHsvF(0.6 * double(i) / double(n - 1), 0.8, 0.8);
}

} // namespace

TrainingView::TrainingView(TrainingJob *job, QWidget *parent)
    : QWidget(parent)
    , m_job(job)
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_loss(makePlot(QStringLiteral("trainingLossPlot"), tr("Epoch"), tr("Loss"), this))
    , m_accuracy(makePlot(QStringLiteral("trainingAccuracyPlot"), tr("Epoch"), tr("Validation top-1 (%)"), this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_resume(new QPushButton(tr("Resume"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("trainingView"));
    m_progress->setObjectName(QStringLiteral("trainingProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setFormat(QStringLiteral("%p %"));
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_status->setWordWrap(true);
    m_status->setText(tr("No training runs. Supernet > Train Supernet... starts one on the open data set."));
    m_pause->setObjectName(QStringLiteral("trainingPause"));
    m_resume->setObjectName(QStringLiteral("trainingResume"));
    m_cancel->setObjectName(QStringLiteral("trainingCancel"));
    m_cancel->setToolTip(tr("Stop the training; the checkpoint keeps the last complete epoch, and training "
                            "again with the same file and settings resumes from it"));
    // a legend of every exit would cover the curves in a narrow dock: a caption instead,
    // and each curve's name as its tool tip on the plot
    auto *caption = new QLabel(tr("Solid: the largest subnet; dashed: the smallest. Colour: the exit, from the "
                                  "first (red) to the final head (blue, thick)."),
                               this);
    caption->setObjectName(QStringLiteral("trainingCaption"));
    caption->setWordWrap(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    caption->setFont(small);
    m_accuracy->setInteraction(QCP::iSelectPlottables, false);
    connect(m_accuracy, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
        QCPGraph *nearest = nullptr;
        double best = 8.0; // pixels
        for (int k = 0; k < m_accuracy->graphCount(); ++k) {
            const double d = m_accuracy->graph(k)->selectTest(e->pos(), false);
            if (d >= 0 && d < best) {
                best = d;
                nearest = m_accuracy->graph(k);
            }
        }
        m_accuracy->setToolTip(nearest ? nearest->name() : QString());
    });
    m_loss->addGraph()->setPen(QPen(QColor(40, 90, 160), 1));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addStretch(1);
    buttons->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addLayout(buttons);
    layout->addWidget(m_loss, 1);
    layout->addWidget(m_accuracy, 2);
    layout->addWidget(caption);

    connect(m_pause, &QPushButton::clicked, m_job, &TrainingJob::pause);
    connect(m_resume, &QPushButton::clicked, m_job, &TrainingJob::resume);
    connect(m_cancel, &QPushButton::clicked, m_job, &TrainingJob::cancel);
    connect(m_job, &TrainingJob::started, this, &TrainingView::onStarted);
    connect(m_job, &TrainingJob::batchDone, this, &TrainingView::onBatch);
    connect(m_job, &TrainingJob::epochDone, this, &TrainingView::onEpoch);
    connect(m_job, &TrainingJob::finished, this, &TrainingView::onFinished);
    connect(m_job, &TrainingJob::pausedChanged, this, [this](bool paused) {
        if (paused)
            m_status->setText(tr("Paused between two batches. %1").arg(m_status->text()));
        updateButtons();
    });
    updateButtons();
}

QString TrainingView::statusText() const
{
    return m_status->text();
}

void TrainingView::onStarted(int startEpoch, int totalEpochs)
{
    m_totalEpochs = totalEpochs;
    m_loss->graph(0)->data()->clear();
    m_accuracy->clearGraphs();
    m_loss->clearItems();
    m_accuracy->clearItems();
    m_lastPhase = m_lastEpochPhase = -1;
    m_progress->setValue(totalEpochs > 0 ? 1000 * startEpoch / totalEpochs : 0);
    m_status->setText(startEpoch > 0 ? tr("Resuming after epoch %1 of %2…").arg(startEpoch).arg(totalEpochs)
                                     : tr("Training %1 epochs…").arg(totalEpochs));
    m_loss->xAxis->setRange(startEpoch, std::max(startEpoch + 1, totalEpochs));
    m_accuracy->xAxis->setRange(0, std::max(1, totalEpochs));
    m_accuracy->yAxis->setRange(0, 100);
    updateButtons();
    m_loss->replot();
    m_accuracy->replot();
}

void TrainingView::markPhase(double x, QCustomPlot *plot, const QString &name)
{
    auto *line = new QCPItemStraightLine(plot);
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    line->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    auto *label = new QCPItemText(plot);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(x, 0.02);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setText(QStringLiteral(" ") + name);
    label->setColor(QColor(90, 90, 90));
}

void TrainingView::onBatch(const supernet::BatchProgress &b)
{
    const double epochs = double(b.epoch - 1) + double(b.batch) / double(std::max<std::int64_t>(1, b.batches));
    if (int(b.phase) != m_lastPhase) {
        m_lastPhase = int(b.phase);
        markPhase(double(b.epoch - 1), m_loss, QString::fromStdString(supernet::phaseName(b.phase)));
    }
    m_loss->graph(0)->addData(epochs, b.loss);
    m_progress->setValue(int(1000.0 * epochs / std::max(1, b.totalEpochs)));
    m_status->setText(tr("Epoch %1 of %2, %3 phase: %4 images/s, about %5 left; loss %6")
                          .arg(b.epoch)
                          .arg(b.totalEpochs)
                          .arg(QString::fromStdString(supernet::phaseName(b.phase)))
                          .arg(b.imagesPerSecond, 0, 'f', 0)
                          .arg(formatDuration(b.secondsLeft))
                          .arg(b.loss, 0, 'f', 3));
    m_loss->graph(0)->rescaleValueAxis(false, true);
    m_loss->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingView::onEpoch(const supernet::EpochReport &r)
{
    if (int(r.phase) != m_lastEpochPhase) {
        m_lastEpochPhase = int(r.phase);
        markPhase(double(r.epoch - 1), m_accuracy, QString::fromStdString(supernet::phaseName(r.phase)));
    }
    // one graph per exit position and subnet, made when first seen
    auto add = [this, &r](const supernet::SubnetAccuracy &a, const QString &subnet, Qt::PenStyle style) {
        const int n = int(a.positions.size());
        for (int i = 0; i < n; ++i) {
            const QString name = QStringLiteral("%1 %2").arg(subnet, QString::fromStdString(a.positions[std::size_t(i)]));
            QCPGraph *g = nullptr;
            for (int k = 0; k < m_accuracy->graphCount(); ++k)
                if (m_accuracy->graph(k)->name() == name)
                    g = m_accuracy->graph(k);
            if (!g) {
                g = m_accuracy->addGraph();
                g->setName(name);
                g->setPen(QPen(exitColour(i, n), i + 1 == n ? 2 : 1, style));
                g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
            }
            g->addData(double(r.epoch), 100.0 * a.accuracy[std::size_t(i)]);
        }
    };
    add(r.largest, tr("largest"), Qt::SolidLine);
    add(r.smallest, tr("smallest"), Qt::DashLine);
    m_accuracy->rescaleAxes();
    m_accuracy->xAxis->setRange(0, std::max(1, r.totalEpochs));
    m_accuracy->yAxis->setRange(std::max(0.0, m_accuracy->yAxis->range().lower - 2), 100);
    m_progress->setValue(1000 * r.epoch / std::max(1, r.totalEpochs));
    m_accuracy->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingView::onFinished(bool completed, const QString &error)
{
    if (completed) {
        m_progress->setValue(1000);
        m_status->setText(tr("Finished: %1").arg(m_job->outPath()));
    } else if (!error.isEmpty()) {
        m_status->setText(tr("The training could not run: %1").arg(error));
    } else {
        m_status->setText(tr("Cancelled: %1 keeps the last complete epoch; training again with the same file and "
                             "settings resumes from it.")
                              .arg(m_job->outPath()));
    }
    updateButtons();
}

void TrainingView::updateButtons()
{
    const bool running = m_job->isRunning();
    m_pause->setEnabled(running && !m_job->isPaused());
    m_resume->setEnabled(running && m_job->isPaused());
    m_cancel->setEnabled(running);
}

} // namespace edanas::ui
