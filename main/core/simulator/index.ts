// The simulator's public surface, for the CLI (`taktboard simulate`), the embedded demo and tests.
export { createSimulator, encodePayload, topicFor, type SimMessage, type Simulator, type SimulatorOptions } from './simulator.ts';
export { startPublishing, createBoundedPublisher, type Publishing, type PublishingOptions } from './publish.ts';
export { runSimulate, parseDuration, type SimulateOptions, type SimulateSummary } from './run.ts';
export { createFormat, inputsFor, SIM_FORMATS, STATE_CODES, type FormatEncoder, type SimFormat, type WireMessage } from './formats.ts';
