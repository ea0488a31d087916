// The tensor wing's one import path: the Tensor class with every method it has. Importing the
// class from here (not from ./tensor.js, which the wing's own files use) attaches all of them:
// the hand-written math and shape methods, Python's indexing, the generated ATen methods and
// properties, and the Python-level methods (unique, norm, stft, the reflected operators), so no
// file outside this folder attaches a method by a side-effect import.
import "./math_methods.js";
import "./shape_methods.js";
import "./indexing.js";
import "./ops.generated.js";
import "./unique.js";
import "./linalg_python.js";
import "./shape_python.js";
import "./stft.js";
import "./reflected.js";

export * from "./tensor.js";
