#include "report.h"

#include "export/modelexport.h"

namespace edanas::ui {

InferenceSpeed measureInferenceSpeed(const QString &studyPath, qint64 id, int images)
{
    InferenceSpeed s;
    try {
        deploy::SpeedRequest request;
        request.studyPath = studyPath.toStdString();
        request.candidateId = id;
        request.images = images;
        const auto r = deploy::measureSpeed(request);
        s.measured = true;
        s.images = int(r.images);
        s.threads = r.threads;
        s.staticMsPerImage = r.msPerImageStatic;
        s.eennMsPerImage = r.msPerImageEarlyExit;
        s.staticAccuracy = r.accuracyStatic;
        s.eennAccuracy = r.accuracyEarlyExit;
        s.staticMacs = r.staticMacs;
        s.eennMacs = r.macsTrue;
    } catch (const std::exception &e) {
        s.error = QString::fromUtf8(e.what());
    }
    return s;
}

} // namespace edanas::ui
