/*
 * The tracing-overhead workloads in C, for running the same shapes under heaptrack and valgrind
 * memcheck. bench/LeakScope.TraceBench/Workloads.cs is the .NET twin: keep them in step.
 *
 *   workloads <small|mixed|live1m|threads4> [scale]
 *
 * Prints "WORKLOAD <name> <milliseconds>" for the timed section only, so start-up and the tool's
 * own attach cost are not counted.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A single thread allocating and freeing 64-byte blocks. */
static void small(long iterations)
{
    for (long i = 0; i < iterations; i++) {
        volatile char *p = malloc(64);
        p[0] = 1;
        free((void *)p);
    }
}

/*
 * One thread allocating and freeing at once, the size varying 16..271 B on every call: 4096 sizes drawn once from a
 * fixed linear congruential sequence (the .NET twin draws its 4096 from System.Random with a fixed seed: the same
 * uniform shape, not the same sequence).
 */
static void mixed(long iterations)
{
    static size_t sizes[4096];
    unsigned long long x = 20261202;
    for (int i = 0; i < 4096; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        sizes[i] = 16 + (size_t)((x >> 33) % 256);
    }
    for (long i = 0; i < iterations; i++) {
        volatile char *p = malloc(sizes[i & 4095]);
        p[0] = 1;
        free((void *)p);
    }
}

/* Build up `count` (one million at scale >= 0.5) live blocks of 16..80 bytes, then free them all. */
static void live1m(long rounds, long count)
{
    void **blocks = malloc(sizeof(void *) * count);
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < count; i++) {
            blocks[i] = malloc(16 + (i & 63));
            ((volatile char *)blocks[i])[0] = 1;
        }
        for (long i = 0; i < count; i++)
            free(blocks[i]);
    }
    free(blocks);
}

/* Four threads in a ring: each allocates blocks and hands them to the next, which frees them. */
#define RING 1024
#define THREADS 4
struct ring {
    void *slots[RING];
    _Atomic long head; /* next slot to write */
    _Atomic long tail; /* next slot to read */
};
static struct ring rings[THREADS];
static long per_thread;

static void *cross_thread(void *arg)
{
    long id = (long)arg;
    struct ring *out = &rings[id];
    struct ring *in = &rings[(id + THREADS - 1) % THREADS];
    long produced = 0, consumed = 0;
    while (produced < per_thread || consumed < per_thread) {
        int progressed = 0;
        if (produced < per_thread) {
            long head = atomic_load_explicit(&out->head, memory_order_relaxed);
            if (head - atomic_load_explicit(&out->tail, memory_order_acquire) < RING) {
                void *p = malloc(32 + (produced & 31));
                ((volatile char *)p)[0] = 1;
                out->slots[head % RING] = p;
                atomic_store_explicit(&out->head, head + 1, memory_order_release);
                produced++;
                progressed = 1;
            }
        }
        if (consumed < per_thread) {
            long tail = atomic_load_explicit(&in->tail, memory_order_relaxed);
            if (tail < atomic_load_explicit(&in->head, memory_order_acquire)) {
                free(in->slots[tail % RING]);
                atomic_store_explicit(&in->tail, tail + 1, memory_order_release);
                consumed++;
                progressed = 1;
            }
        }
        if (!progressed)
            sched_yield(); /* 4 threads may share 2 cores: let the others run */
    }
    return NULL;
}

static void threads4(long blocks)
{
    pthread_t threads[THREADS];
    per_thread = blocks;
    for (long i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, cross_thread, (void *)i);
    for (long i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: workloads <small|mixed|live1m|threads4> [scale]\n");
        return 2;
    }
    double scale = argc > 2 ? atof(argv[2]) : 1.0;
    /* Outside the timed section, as the .NET twin warms its JIT and allocator: a tool that starts on the first malloc
     * (heaptrack: its recorder process starts up while the first records fill the pipe, ≈ 0.9 s here) starts here,
     * not in the workload. The same 200 000 pairs as the .NET twin's warm-up. */
    small(200000);
    double start = now_ms();
    if (strcmp(argv[1], "small") == 0)
        small((long)(5000000 * scale));
    else if (strcmp(argv[1], "mixed") == 0)
        mixed((long)(5000000 * scale));
    else if (strcmp(argv[1], "live1m") == 0)
        /* Below scale 0.5, one round of fewer blocks, so that the work stays proportional to the scale. */
        live1m((long)(2 * scale) > 0 ? (long)(2 * scale) : 1, scale < 0.5 ? (long)(2000000 * scale) : 1000000);
    else if (strcmp(argv[1], "threads4") == 0)
        threads4((long)(500000 * scale));
    else {
        fprintf(stderr, "unknown workload: %s\n", argv[1]);
        return 2;
    }
    printf("WORKLOAD %s %.1f\n", argv[1], now_ms() - start);
    return 0;
}
