//===- TrainingPipeline.cpp - daq-training-pipeline
//------------------------===//

#include "daq/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

daq::DaqQuantizeTrainingOptions
daq::TrainingPipelineOptions::getQuantizeTrainingOptions() const {
  DaqQuantizeTrainingOptions options;
  options.layers = layers;
  options.backwardData = backwardData;
  options.clip = clip;
  options.rounding = rounding;
  options.seed = seed;
  return options;
}

void daq::buildDaqTrainingPipeline(OpPassManager &pm,
                                   const TrainingPipelineOptions &options) {
  pm.addPass(createDaqRaiseConvolutions());
  pm.addPass(createDaqQuantizeTraining(options.getQuantizeTrainingOptions()));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createDaqFuseQuantizedConvolutions());
  pm.addPass(createCSEPass());
}
