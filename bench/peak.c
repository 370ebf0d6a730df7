// Arithmetic ceilings of the machine this runs on, for bench/cpu_conv.py.
//
//   cc -O2 -march=native -pthread bench/peak.c -o peak && ./peak THREADS SECONDS
//
// Prints one JSON object: FP32 FMA GFLOP/s and INT8 multiply-accumulate
// GOP/s (2 ops per MAC) with the widest instructions the compiler was
// allowed to use (-march=native): AVX-512 or AVX2 FMA; AVX512-VNNI
// vpdpbusd, or AVX2 vpmaddubsw + vpmaddwd + vpaddd. AMX is not measured
// here (targets.md has its tile-resident peak). Register-resident loops with
// enough independent accumulators to cover the FMA latency: an upper bound
// that no convolution reaches, which is what "% of peak" is measured against.
// Also memory bandwidth (read and STREAM-style triad) over 3 x 192 MiB.
// Every figure is the best of three runs (the machine is shared and noisy).
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACC 12
#define INNER 1000

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef struct {
  double seconds;
  double ops;
  float sink;
} Job;

#if defined(__AVX512F__)
#define FP_WIDTH 16
typedef __m512 vf;
#define VF_SET1 _mm512_set1_ps
#define VF_FMA _mm512_fmadd_ps
#define VF_ADD _mm512_add_ps
#define VF_SUM(v) _mm512_reduce_add_ps(v)
#define FP_ISA "avx512f"
#else
#define FP_WIDTH 8
typedef __m256 vf;
#define VF_SET1 _mm256_set1_ps
#define VF_FMA _mm256_fmadd_ps
#define VF_ADD _mm256_add_ps
static float VF_SUM(__m256 v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  float s = 0;
  for (int i = 0; i < 8; ++i) s += t[i];
  return s;
}
#define FP_ISA "avx2-fma"
#endif

static void *fp32_worker(void *arg) {
  Job *job = (Job *)arg;
  vf acc[ACC];
  for (int i = 0; i < ACC; ++i) acc[i] = VF_SET1(0.001f * i);
  vf a = VF_SET1(0.999999f), b = VF_SET1(1e-7f);
  double start = now(), iterations = 0;
  while (now() - start < job->seconds) {
    for (int k = 0; k < INNER; ++k)
      for (int i = 0; i < ACC; ++i) acc[i] = VF_FMA(acc[i], a, b);
    iterations += INNER;
  }
  job->seconds = now() - start;
  job->ops = iterations * ACC * FP_WIDTH * 2.0;
  vf s = acc[0];
  for (int i = 1; i < ACC; ++i) s = VF_ADD(s, acc[i]);
  job->sink = VF_SUM(s);
  return NULL;
}

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define I8_ISA "avx512-vnni"
#define I8_MACS 64 // u8 x s8 MACs per vpdpbusd
// Zen 5 issues two vpdpbusd a cycle at a latency of about 4: six chains
// measured 1.66 TOP/s on two of its cores, eight 1.98, twelve 2.26 (and
// fourteen no more). Twelve accumulators and twelve B operands fit in the
// 32 registers.
#define I8_ACC 12
typedef __m512i vi;
#define VI_SET1 _mm512_set1_epi32
#define VI_ADD _mm512_add_epi32
static inline vi i8_mac(vi acc, vi a, vi b) {
  return _mm512_dpbusd_epi32(acc, a, b);
}
static int VI_FIRST(vi v) { return _mm_cvtsi128_si32(_mm512_castsi512_si128(v)); }
#else
#define I8_ISA "avx2 (vpmaddubsw+vpmaddwd+vpaddd)"
#define I8_MACS 32 // u8 x s8 MACs per 3-instruction group
#define I8_ACC 6   // with their B operands, in 16 registers
typedef __m256i vi;
#define VI_SET1 _mm256_set1_epi32
#define VI_ADD _mm256_add_epi32
static inline vi i8_mac(vi acc, vi a, vi b) {
  __m256i p16 = _mm256_maddubs_epi16(a, b);
  __m256i p32 = _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
  return _mm256_add_epi32(acc, p32);
}
static int VI_FIRST(vi v) { return _mm_cvtsi128_si32(_mm256_castsi256_si128(v)); }
#endif

static void *int8_worker(void *arg) {
  Job *job = (Job *)arg;
  // The products are loop-invariant, so an empty asm marks each B operand
  // as changed every iteration (no instruction): otherwise the compiler
  // hoists the multiplies out of the loop. Each accumulator needs its own B
  // operand's register, which bounds I8_ACC (above).
  vi acc[I8_ACC], b[I8_ACC];
  for (int i = 0; i < I8_ACC; ++i) {
    acc[i] = VI_SET1(i);
    b[i] = VI_SET1(0x01fe01ff + i);
  }
  vi a = VI_SET1(0x01020304);
  double start = now(), iterations = 0;
  while (now() - start < job->seconds) {
    for (int k = 0; k < INNER; ++k) {
      for (int i = 0; i < I8_ACC; ++i) __asm__ volatile("" : "+v"(b[i]));
      for (int i = 0; i < I8_ACC; ++i) acc[i] = i8_mac(acc[i], a, b[i]);
    }
    iterations += INNER;
  }
  job->seconds = now() - start;
  job->ops = iterations * I8_ACC * I8_MACS * 2.0;
  vi s = acc[0];
  for (int i = 1; i < I8_ACC; ++i) s = VI_ADD(s, acc[i]);
  job->sink = (float)VI_FIRST(s);
  return NULL;
}

// Memory bandwidth: each thread streams its slice of arrays far larger than
// the caches. read: a sum (4 bytes per element); triad: a = b + s c (12 bytes
// per element counted, as STREAM does).
#define BW_FLOATS (48u << 20) // 192 MiB per array, all threads together
static float *bw_a, *bw_b, *bw_c;
typedef struct {
  size_t begin, end;
  int triad;
  double seconds, bytes;
  float sink;
} BwJob;

static void *bw_worker(void *arg) {
  BwJob *job = (BwJob *)arg;
  double start = now(), bytes = 0;
  float sink = 0;
  do {
    if (job->triad) {
      for (size_t i = job->begin; i < job->end; ++i)
        bw_a[i] = bw_b[i] + 0.5f * bw_c[i];
      bytes += 12.0 * (job->end - job->begin);
    } else {
      vf s0 = VF_SET1(0), s1 = VF_SET1(0);
      for (size_t i = job->begin; i + 2 * FP_WIDTH <= job->end;
           i += 2 * FP_WIDTH) {
        vf x0, x1;
        memcpy(&x0, bw_b + i, sizeof x0);
        memcpy(&x1, bw_b + i + FP_WIDTH, sizeof x1);
        s0 = VF_ADD(s0, x0);
        s1 = VF_ADD(s1, x1);
      }
      sink += VF_SUM(VF_ADD(s0, s1));
      bytes += 4.0 * (job->end - job->begin);
    }
  } while (now() - start < job->seconds);
  job->seconds = now() - start;
  job->bytes = bytes;
  job->sink = sink;
  return NULL;
}

static double bandwidth(int threads, double seconds, int triad) {
  pthread_t tid[64];
  BwJob jobs[64];
  size_t chunk = BW_FLOATS / threads;
  for (int t = 0; t < threads; ++t) {
    jobs[t].begin = t * chunk;
    jobs[t].end = t + 1 == threads ? BW_FLOATS : (t + 1) * chunk;
    jobs[t].triad = triad;
    jobs[t].seconds = seconds;
    pthread_create(&tid[t], NULL, bw_worker, &jobs[t]);
  }
  double rate = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(tid[t], NULL);
    rate += jobs[t].bytes / jobs[t].seconds;
  }
  return rate;
}

static void *touch_worker(void *arg) {
  BwJob *job = (BwJob *)arg;
  for (size_t i = job->begin; i < job->end; ++i) {
    bw_a[i] = 0;
    bw_b[i] = 1;
    bw_c[i] = 2;
  }
  return NULL;
}

static double run(void *(*worker)(void *), int threads, double seconds) {
  pthread_t tid[64];
  Job jobs[64];
  for (int t = 0; t < threads; ++t) {
    jobs[t].seconds = seconds;
    pthread_create(&tid[t], NULL, worker, &jobs[t]);
  }
  double rate = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(tid[t], NULL);
    rate += jobs[t].ops / jobs[t].seconds;
  }
  return rate;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  double seconds = argc > 2 ? atof(argv[2]) : 0.3;
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  // Best of three: the machine is shared and noisy, a ceiling is a maximum.
  double fp = 0, i8 = 0;
  for (int r = 0; r < 3; ++r) {
    double f = run(fp32_worker, threads, seconds);
    double q = run(int8_worker, threads, seconds);
    if (f > fp) fp = f;
    if (q > i8) i8 = q;
  }
  double read = 0, triad = 0;
  bw_a = malloc(sizeof(float) * BW_FLOATS);
  bw_b = malloc(sizeof(float) * BW_FLOATS);
  bw_c = malloc(sizeof(float) * BW_FLOATS);
  if (bw_a && bw_b && bw_c) {
    // First touch by the threads that stream the slices.
    pthread_t tid[64];
    BwJob jobs[64];
    size_t chunk = BW_FLOATS / threads;
    for (int t = 0; t < threads; ++t) {
      jobs[t].begin = t * chunk;
      jobs[t].end = t + 1 == threads ? BW_FLOATS : (t + 1) * chunk;
      pthread_create(&tid[t], NULL, touch_worker, &jobs[t]);
    }
    for (int t = 0; t < threads; ++t) pthread_join(tid[t], NULL);
    for (int r = 0; r < 3; ++r) {
      double x = bandwidth(threads, seconds, 0);
      double y = bandwidth(threads, seconds, 1);
      if (x > read) read = x;
      if (y > triad) triad = y;
    }
  }
  printf("{\"threads\": %d, \"fp32_gflops\": %.1f, \"fp32_isa\": \"%s\", "
         "\"int8_gops\": %.1f, \"int8_isa\": \"%s\", "
         "\"read_gbs\": %.1f, \"triad_gbs\": %.1f}\n",
         threads, fp / 1e9, FP_ISA, i8 / 1e9, I8_ISA, read / 1e9,
         triad / 1e9);
  return 0;
}
