"""What a user runs: reading photos, the color conversions around the model, Colorizer, the
ONNX runner, a person's color hints, batches of files, video, storage, export. Imports the
models and nothing of training or evaluation."""
