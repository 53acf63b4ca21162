#pragma once

#include "supernet/estimate.h"
#include "supernet/trainer.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

namespace edanas::ui {

class JobRunner;

/// Supernet > Train Supernet...: the space preset, epochs per phase, training images
/// per epoch, batch size, seed and where to save, for the open data set (`datasetName`,
/// its training images, channels and classes), with the time the training will take,
/// estimated from a short measurement on this machine (supernet::estimateTraining, on
/// a background thread, again when the space or the batch size changes). Its defaults
/// are the recipe's (docs/SUPERNET.md).
class TrainDialog : public QDialog
{
    Q_OBJECT

public:
    TrainDialog(const QString &datasetName, qint64 trainingImages, int channels, int classes,
                const QString &defaultOut, QWidget *parent = nullptr);
    ~TrainDialog() override; ///< waits for a measurement under way (its JobRunner; a few seconds at most)

    QString space() const;
    QString outPath() const;
    supernet::TrainConfig config() const;

    void setSpace(const QString &name);
    void setEpochs(const std::vector<int> &perPhase);
    void setImagesPerEpoch(int images);
    void setBatchSize(int batch);
    void setOutPath(const QString &path);
    void setEvaluationImages(int images, int recalibrationImages);

    /// The estimate for the current settings, once measured.
    bool hasEstimate() const { return m_haveEstimate; }
    double estimatedSeconds() const;
    QString estimateText() const;

private:
    QComboBox *m_space;
    QSpinBox *m_epochs[4];
    QSpinBox *m_images, *m_batch, *m_seed, *m_evalImages, *m_recalImages;
    QLineEdit *m_out;
    QLabel *m_summary;
    QLabel *m_estimate;
    qint64 m_trainingImages;
    int m_channels, m_classes;
    QTimer *m_measureTimer;
    JobRunner *m_jobs; ///< the measurement
    bool m_remeasure = false;
    bool m_outEdited = false;
    bool m_haveEstimate = false;
    supernet::TrainingEstimate m_rates;
    void updateSummary();
    void measure();
    void onMeasured(const supernet::TrainingEstimate &e, const QString &error);
    bool m_measuring = false;
    std::int64_t imagesPerEpoch() const;
};

} // namespace edanas::ui
