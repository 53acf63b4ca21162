#pragma once
// The sections of an export's model.json and verification.json: what a deployed network
// is (architecture, exits, input) and what was measured on it (accuracies, int8,
// fine-tuning, microcontroller memory). exportModel (modelexport.cpp) assembles them.
// Qt headers: include this after the other project headers (Qt's `emit` macro).

#include "candidate.h"
#include "finetune.h"
#include "mcumemory.h"
#include "modelexport.h"

#include "cost/cost.h"
#include "space/architecture.h"
#include "space/genome.h"

#include <QJsonArray>
#include <QJsonObject>

#include <string>
#include <vector>

namespace edanas::deploy {

QJsonArray doubles(const std::vector<double> &v);
QJsonArray floats(const std::vector<float> &v);
/// How an exit rule decides, in words a deployment engineer implements.
std::string ruleText(space::ExitRule rule);

/// "architecture": every block with its shape and MACs.
QJsonObject architectureJson(const space::Architecture &a, const cost::CostReport &c);
/// "exits": each exit's position, threshold, rule, cumulative MACs and ONNX output name.
QJsonObject exitsJson(const space::Genome &g, const space::Architecture &a, const cost::CostReport &c,
                      const std::vector<std::string> &outputs);
/// "input": channels, resolution, layout and normalisation.
QJsonObject inputJson(const PreparedCandidate &p);
/// One image set's accuracies (LibTorch, ONNX under OpenCV, the study's figure).
QJsonObject setJson(const SetAccuracy &a);
/// verification.json: every check and whether it passed.
QJsonObject verificationJson(const ExportResult &r);
/// Fine-tuning's figures, before or after.
QJsonObject figuresJson(const FineTuneFigures &f);
QJsonObject fineTuneJson(const FineTuneResult &t);
/// int8 against float on one image set.
QJsonObject int8SetJson(const Int8SetFigures &f);
/// "mcu": the int8 network's SRAM and flash on a microcontroller, with their definition.
QJsonObject mcuJson(const McuMemory &m);

} // namespace edanas::deploy
