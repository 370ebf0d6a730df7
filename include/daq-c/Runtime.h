/*===- daq-c/Runtime.h - C API of the daq runtime -----------------*- C -*-===*\
|*                                                                            *|
|* A C interface to the CPU JIT (daq/Runtime/JitRunner.h) and to textual pass *|
|* pipelines, for bindings (the Python package `daq` calls it through ctypes) *|
|* and for programs that do not want to depend on the C++ API. It lives in   *|
|* the shared library libDaqCAPI.so.                                          *|
|*                                                                            *|
|* Conventions:                                                               *|
|*  * Functions that can fail return 0 on success and a non-zero value on    *|
|*    failure. On failure, if `error` is not NULL, `*error` receives a       *|
|*    message (with the MLIR diagnostics where there are any) that the       *|
|*    caller frees with daqStringFree; on success `*error` is set to NULL.    *|
|*    Invalid arguments (NULL pointers, unknown dtypes, negative dimensions, *|
|*    mismatched buffers) are reported the same way; nothing aborts.         *|
|*  * Strings the API returns as `char *` are owned by the caller and freed  *|
|*    with daqStringFree. Strings and arrays returned as `const` pointers    *|
|*    are borrowed from a module and stay valid until it is destroyed.       *|
|*  * Array data is dense, row-major (C order), in host byte order.          *|
|*  * Every function is thread-safe; one module may be invoked from several  *|
|*    threads at once.                                                        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef DAQ_C_RUNTIME_H
#define DAQ_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define DAQ_CAPI_EXPORTED __declspec(dllexport)
#else
#define DAQ_CAPI_EXPORTED __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this interface. It changes whenever a declaration in this
 *  file changes incompatibly, so that bindings can refuse a library built
 *  from another revision instead of calling it with the wrong layout. */
#define DAQ_CAPI_VERSION 2

/** Element types of arrays, as in mlir::daq::DType. DAQ_DTYPE_I1 is NumPy's
 *  `bool`: one byte, 0 or 1, per element. */
enum {
  DAQ_DTYPE_F32 = 0,
  DAQ_DTYPE_F64 = 1,
  DAQ_DTYPE_I8 = 2,
  DAQ_DTYPE_I32 = 3,
  DAQ_DTYPE_I64 = 4,
  DAQ_DTYPE_I1 = 5,
};

/** A compiled module (a shared reference to a cached mlir::daq::JitModule). */
typedef struct DaqModule DaqModule;

/** A caller-owned array. `shape` holds `rank` non-negative dimensions (it may
 *  be NULL when `rank` is 0); `data` holds product(shape) elements of `dtype`
 *  (it may be NULL when that product is 0). A rank-0 array holds one element
 *  and is how scalar arguments and results are passed. */
typedef struct DaqBuffer {
  void *data;
  int32_t dtype;
  int64_t rank;
  const int64_t *shape;
} DaqBuffer;

/** One argument or result of an entry point, as its tensor-level signature
 *  (the `daq.signature` attribute) declares it. `shape` has `rank` entries;
 *  a negative entry is a dynamic dimension (inputs only). Scalars have rank 0
 *  and `isScalar` set. `typeName` is the MLIR type ("tensor<4x?xf32>",
 *  "i64"). Pointers are borrowed from the module. */
typedef struct DaqValueInfo {
  int32_t dtype;
  int32_t isScalar;
  int64_t rank;
  const int64_t *shape;
  const char *typeName;
} DaqValueInfo;

/** DAQ_CAPI_VERSION of the library. */
DAQ_CAPI_EXPORTED int32_t daqGetCApiVersion(void);

/** Frees a string returned by this API. NULL is allowed. */
DAQ_CAPI_EXPORTED void daqStringFree(char *string);

/** The MLIR name of a dtype ("f32", ...), or NULL for an unknown value. */
DAQ_CAPI_EXPORTED const char *daqDTypeGetName(int32_t dtype);

/*===----------------------------------------------------------------------===*
 * Compiling and calling modules
 *===----------------------------------------------------------------------===*/

/** Compiles the MLIR module in `source` (`length` bytes; it need not be
 *  NUL-terminated) for the CPU, or returns the module compiled earlier in
 *  this process from the same text and `optLevel` (JitModule::get). A module
 *  on tensors is lowered with daq-cpu-pipeline; one already in the LLVM
 *  dialect is compiled as is. `bufferName` (may be NULL) names the source in
 *  diagnostics; `optLevel` is 0 to 3. On success `*module` receives a handle
 *  the caller releases with daqModuleDestroy. */
DAQ_CAPI_EXPORTED int daqModuleCreate(const char *source, size_t length,
                                      const char *bufferName, int32_t optLevel,
                                      DaqModule **module, char **error);

/** Releases a handle. The compiled code stays in the process-wide cache
 *  until daqClearCache. NULL is allowed. */
DAQ_CAPI_EXPORTED void daqModuleDestroy(DaqModule *module);

/** The number of entry points (public functions annotated by
 *  daq-cpu-pipeline), and the name of the one at `index` in module order
 *  (NULL if out of range or `module` is NULL). */
DAQ_CAPI_EXPORTED size_t daqModuleGetNumFunctions(const DaqModule *module);
DAQ_CAPI_EXPORTED const char *daqModuleGetFunctionName(const DaqModule *module,
                                                       size_t index);

/** Looks up the entry point `function`: its number of inputs and results,
 *  and `*unsupportedReason`, borrowed, which is empty when the function can
 *  be invoked and otherwise says why not. Any of the three output pointers
 *  may be NULL. */
DAQ_CAPI_EXPORTED int
daqModuleGetSignature(const DaqModule *module, const char *function,
                      size_t *numInputs, size_t *numResults,
                      const char **unsupportedReason, char **error);

/** Describes input (`isResult` = 0) or result (`isResult` != 0) number
 *  `index` of `function`. */
DAQ_CAPI_EXPORTED int daqModuleGetValueInfo(const DaqModule *module,
                                            const char *function,
                                            int32_t isResult, size_t index,
                                            DaqValueInfo *info, char **error);

/** Calls `function` on `inputs` and writes its results into `outputs`.
 *
 *  Both arrays must match the signature one to one: the same dtype and rank,
 *  and the same size in every static dimension (outputs have static shapes
 *  only). Inputs are only read: functions compiled from tensor signatures
 *  read them in place, others get a copy. Results are computed directly
 *  into the outputs where the function allows it, so an output must not
 *  overlap an input or another output. The caller owns every buffer and
 *  must make each one hold product(shape) elements. On failure the
 *  contents of the outputs are unspecified. */
DAQ_CAPI_EXPORTED int daqModuleInvoke(const DaqModule *module,
                                      const char *function,
                                      const DaqBuffer *inputs, size_t numInputs,
                                      const DaqBuffer *outputs,
                                      size_t numOutputs, char **error);

/** Drops every cached compiled module (modules with live handles stay
 *  alive), and returns the number of modules in the cache. */
DAQ_CAPI_EXPORTED void daqClearCache(void);
DAQ_CAPI_EXPORTED size_t daqGetCacheSize(void);

/*===----------------------------------------------------------------------===*
 * Pass pipelines
 *===----------------------------------------------------------------------===*/

/** Parses the MLIR module in `source` (`length` bytes) with every upstream
 *  dialect and daq registered, runs the textual pass `pipeline` (anchored on
 *  the module, as `mlir-opt --pass-pipeline` takes it:
 *  "builtin.module(daq-training-pipeline{layers=all})"; every upstream pass,
 *  every daq pass and the daq pipelines are available) with the verifier on,
 *  and returns the printed result in `*output` (caller frees it with
 *  daqStringFree). Parse errors, pipeline syntax errors and pass failures
 *  are returned in `*error` with the diagnostics. */
DAQ_CAPI_EXPORTED int daqRunPassPipeline(const char *source, size_t length,
                                         const char *pipeline, char **output,
                                         char **error);

#ifdef __cplusplus
}
#endif

#endif /* DAQ_C_RUNTIME_H */
