import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

/**
 * Baseline writer for the write benchmark: loads one workload into a cache with Apache Ignite's
 * official Java thin client, ClientCache.putAll of a fixed number of rows per request, and prints
 * one JSON line {"rows", "bytes", "seconds", "warmup_rows", "peak_rss_bytes", "cpu_seconds",
 * "window"}.
 *
 * <pre>
 * java ThinClientWriter --host H --port P --workload W1|W2|W3 --rows N --rows-per-request R
 *     --cache NAME --warmup-cache NAME --warmup-rows M
 * </pre>
 *
 * <p>The data (the same values as write_throughput.py's workload_data, row i of every column a
 * function of i) is generated in plain Java arrays first. Then, after connecting, the first M rows
 * go to the warm-up cache (untimed: the JIT, the client's type registration and the node warm
 * up), and then all N rows to the cache, timed: building each row's BinaryObject with
 * client.binary().builder(typeName) and the putAll requests, as a user holding the data in arrays
 * does.
 *
 * <ul>
 *   <li>W1: Long -> byte[1 MiB], byte j of row i = (7 i + 13 j) mod 256.
 *   <li>W2: Long -> MnistRow {label: int = i mod 10, pixels: byte[784] as W1's}.
 *   <li>W3: Long -> BenchW3Row {C0..C2 long, C3..C5 int, C6..C8 double, C9 float}, the value
 *       type of the SQL table (fields named as its columns).
 * </ul>
 */
public final class ThinClientWriter {
    static final int W1_BYTES = 1 << 20;
    static final int W2_PIXELS = 784;

    /** The workload's columns, all rows. */
    private byte[][] blobs; // W1 values, W2 pixels
    private int[] labels; // W2
    private long[] c0, c1, c2; // W3
    private int[] c3, c4, c5;
    private double[] c6, c7, c8;
    private float[] c9;

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 10800;
        String workload = null;
        int rows = -1;
        int perRequest = 1024;
        String cache = null;
        String warmupCache = null;
        int warmupRows = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) usage("missing value after " + arg);
            String value = args[++i];
            switch (arg) {
                case "--host": host = value; break;
                case "--port": port = Integer.parseInt(value); break;
                case "--workload": workload = value.toUpperCase(); break;
                case "--rows": rows = Integer.parseInt(value); break;
                case "--rows-per-request": perRequest = Integer.parseInt(value); break;
                case "--cache": cache = value; break;
                case "--warmup-cache": warmupCache = value; break;
                case "--warmup-rows": warmupRows = Integer.parseInt(value); break;
                default: usage("unknown argument " + arg);
            }
        }
        if (workload == null || cache == null) usage("--workload and --cache are required");
        if (!workload.equals("W1") && !workload.equals("W2") && !workload.equals("W3"))
            usage("unknown workload " + workload);
        if (rows < 0) usage("--rows is required");
        if (perRequest <= 0) usage("--rows-per-request must be positive");
        if (warmupRows > 0 && warmupCache == null) usage("--warmup-rows needs --warmup-cache");
        warmupRows = Math.min(warmupRows, rows);

        ThinClientWriter writer = new ThinClientWriter();
        writer.generate(workload, rows);
        ClientConfiguration cfg = new ClientConfiguration().setAddresses(host + ":" + port);
        long started;
        long finished;
        long cpuStarted;
        long cpuFinished;
        double wallStarted;
        double wallFinished;
        try (IgniteClient client = Ignition.startClient(cfg)) {
            if (warmupRows > 0) writer.write(client, workload, warmupCache, warmupRows, perRequest);
            // Timing starts after the warm-up: JVM start, data generation, connecting and the
            // warm-up are not part of "seconds".
            cpuStarted = processCpuNanos();
            wallStarted = System.currentTimeMillis() / 1e3;
            started = System.nanoTime();
            writer.write(client, workload, cache, rows, perRequest);
            finished = System.nanoTime();
            wallFinished = System.currentTimeMillis() / 1e3;
            cpuFinished = processCpuNanos();
        }
        long rowBytes =
                workload.equals("W1") ? W1_BYTES : workload.equals("W2") ? 4 + W2_PIXELS : 64;
        System.out.println(
                "{\"rows\": " + rows
                        + ", \"bytes\": " + rows * rowBytes
                        + ", \"seconds\": " + ((finished - started) / 1e9)
                        + ", \"warmup_rows\": " + warmupRows
                        + ", \"peak_rss_bytes\": " + peakRssBytes()
                        + ", \"cpu_seconds\": " + ((cpuFinished - cpuStarted) / 1e9)
                        + ", \"window\": [" + wallStarted + ", " + wallFinished + "]}");
    }

    /** Fills the workload's columns for rows 0..rows-1. */
    private void generate(String workload, int rows) {
        switch (workload) {
            case "W1":
                blobs = new byte[rows][];
                for (int i = 0; i < rows; i++) blobs[i] = pattern(i, W1_BYTES);
                break;
            case "W2":
                blobs = new byte[rows][];
                labels = new int[rows];
                for (int i = 0; i < rows; i++) {
                    blobs[i] = pattern(i, W2_PIXELS);
                    labels[i] = i % 10;
                }
                break;
            default:
                c0 = new long[rows];
                c1 = new long[rows];
                c2 = new long[rows];
                c3 = new int[rows];
                c4 = new int[rows];
                c5 = new int[rows];
                c6 = new double[rows];
                c7 = new double[rows];
                c8 = new double[rows];
                c9 = new float[rows];
                for (int i = 0; i < rows; i++) {
                    long l = i;
                    c0[i] = l * 3;
                    c1[i] = l << 20;
                    c2[i] = -l;
                    c3[i] = i * 7;
                    c4[i] = i % 1000;
                    c5[i] = -(i % 977);
                    c6[i] = i * 0.5;
                    c7[i] = i / 3.0;
                    c8[i] = i * 1e-3;
                    c9[i] = (float) (i * 0.25);
                }
        }
    }

    /** Byte j of row i: (7 i + 13 j) mod 256. */
    private static byte[] pattern(int i, int length) {
        byte[] a = new byte[length];
        int base = (i * 7) & 0xFF;
        for (int j = 0; j < length; j++) a[j] = (byte) (base + j * 13);
        return a;
    }

    /** Writes rows 0..rows-1 into `name`, `perRequest` rows per putAll. */
    private void write(IgniteClient client, String workload, String name, int rows, int perRequest) {
        if (workload.equals("W1")) {
            ClientCache<Long, byte[]> cache = client.cache(name);
            for (int start = 0; start < rows; start += perRequest) {
                int end = Math.min(rows, start + perRequest);
                Map<Long, byte[]> page = new HashMap<>(2 * (end - start));
                for (int i = start; i < end; i++) page.put((long) i, blobs[i]);
                cache.putAll(page);
            }
            return;
        }
        ClientCache<Long, BinaryObject> cache = client.cache(name).withKeepBinary();
        for (int start = 0; start < rows; start += perRequest) {
            int end = Math.min(rows, start + perRequest);
            Map<Long, BinaryObject> page = new HashMap<>(2 * (end - start));
            for (int i = start; i < end; i++) {
                BinaryObject value;
                if (workload.equals("W2")) {
                    value = client.binary().builder("MnistRow")
                            .setField("label", labels[i])
                            .setField("pixels", blobs[i])
                            .build();
                } else {
                    value = client.binary().builder("BenchW3Row")
                            .setField("C0", c0[i])
                            .setField("C1", c1[i])
                            .setField("C2", c2[i])
                            .setField("C3", c3[i])
                            .setField("C4", c4[i])
                            .setField("C5", c5[i])
                            .setField("C6", c6[i])
                            .setField("C7", c7[i])
                            .setField("C8", c8[i])
                            .setField("C9", c9[i])
                            .build();
                }
                page.put((long) i, value);
            }
            cache.putAll(page);
        }
    }

    /** CPU time of the whole JVM (every thread, JIT and GC included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** VmHWM (peak resident set size) of this process, in bytes; -1 when unavailable. */
    private static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024L; // reported in kB
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    private static void usage(String message) {
        System.err.println(message);
        System.err.println(
                "usage: ThinClientWriter --host H --port P --workload W1|W2|W3 --rows N"
                        + " --rows-per-request R --cache NAME [--warmup-cache NAME"
                        + " --warmup-rows M]");
        System.exit(2);
    }
}
