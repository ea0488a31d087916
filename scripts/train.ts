// The TypeScript twin of the tutorial's train.py lands with the [train] issue.
console.error("torch-ts: training is not built yet (see the [train] issue); `npm test` exercises what exists.");
process.exit(2);
