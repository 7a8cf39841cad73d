package govgate.mongo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Runs an in-memory MongoDB wire-protocol server (mongo-java-server) for govgate's tests and
 * for the {@code npm start} fallback.
 *
 * <p>Usage: {@code java -jar govgate-mongo-launcher.jar [--host 127.0.0.1] [--port 0] [--ignore-stdin]
 * [--indexed] [--no-oplog]}
 *
 * <ul>
 *   <li>{@code --indexed}: the memory backend with secondary indexes ({@link IndexedMemoryBackend}).
 *       The stock one ignores every non-unique index and answers {@code {tenant, owner: {$in: [...]}}}
 *       by scanning the whole collection, which would make the benchmark measure the scan.</li>
 *   <li>{@code --no-oplog}: no oplog (no change streams); otherwise every write is also copied into
 *       {@code local.oplog.rs}, growing the heap for a long benchmark run.</li>
 *   <li>Reports server version 7.0.0 / maxWireVersion 21, because the MongoDB Node driver 7
 *       (mongoose 9) refuses servers that report an older wire version.</li>
 *   <li>The oplog is enabled (change streams) unless {@code --no-oplog} is given.</li>
 *   <li>Once listening, prints exactly one line to stdout:
 *       {@code GOVGATE_MONGO_READY mongodb://<host>:<port>}. Everything else (logs, errors) goes to
 *       stderr.</li>
 *   <li>Exits when stdin reaches EOF, so the JVM never outlives the process that spawned it
 *       (even if that one is SIGKILLed), unless {@code --ignore-stdin} is given. SIGTERM/SIGINT
 *       shut the server down through a shutdown hook.</li>
 * </ul>
 */
public final class Launcher {

    private static final String READY_PREFIX = "GOVGATE_MONGO_READY ";

    private Launcher() {
    }

    /** Server version reported by buildInfo / isMaster. */
    private static final MongoVersion MONGO_7_0 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(7, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 21;
        }
    };

    public static void main(String[] args) {
        // Must be set before the first slf4j logger is created: quiet, and never on stdout.
        // "error": the server warns on every non-unique index it does not build, which is noise here.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("govgate.mongo.logLevel", "error"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");

        String host = "127.0.0.1";
        int port = 0;
        boolean watchStdin = true;
        boolean indexed = false;
        boolean oplog = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--host":
                    host = requireValue(args, ++i, arg);
                    break;
                case "--port":
                    String value = requireValue(args, ++i, arg);
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        fail("invalid --port value: " + value);
                    }
                    if (port < 0 || port > 65535) {
                        fail("--port must be between 0 and 65535, got " + port);
                    }
                    break;
                case "--ignore-stdin":
                    watchStdin = false;
                    break;
                case "--indexed":
                    indexed = true;
                    break;
                case "--no-oplog":
                    oplog = false;
                    break;
                case "--help":
                case "-h":
                    System.err.println("usage: java -jar govgate-mongo-launcher.jar"
                        + " [--host 127.0.0.1] [--port 0] [--ignore-stdin] [--indexed] [--no-oplog]");
                    System.exit(0);
                    return;
                default:
                    fail("unknown argument: " + arg);
            }
        }

        MongoBackend backend = (indexed ? new IndexedMemoryBackend() : new MemoryBackend()).version(MONGO_7_0);
        MongoServer server = new MongoServer(backend);
        if (oplog) {
            server.enableOplog();
        }

        AtomicBoolean stopped = new AtomicBoolean(false);
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                try {
                    server.shutdownNow();
                } catch (RuntimeException e) {
                    System.err.println("govgate-mongo: error during shutdown: " + e);
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "govgate-mongo-shutdown"));

        // Watch stdin before binding, so that the JVM cannot outlive its parent even while starting.
        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                InputStream in = System.in;
                byte[] buffer = new byte[256];
                try {
                    while (in.read(buffer) != -1) {
                        // Input is ignored; only EOF matters.
                    }
                } catch (IOException e) {
                    // A broken stdin means the parent is gone as well.
                }
                stop.run();
                System.exit(0);
            }, "govgate-mongo-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        try {
            server.bind(host, port);
        } catch (Exception e) {
            // Netty rethrows checked exceptions such as java.net.BindException undeclared, and
            // MongoServer.bind only cleans up after RuntimeExceptions: stop the event loops here.
            System.err.println("govgate-mongo: failed to bind " + host + ":" + port + ": " + e);
            stop.run();
            System.exit(1);
            return;
        }

        InetSocketAddress address = server.getLocalAddress();
        if (address == null) {
            System.err.println("govgate-mongo: server is not listening after bind");
            stop.run();
            System.exit(1);
            return;
        }

        PrintStream out = System.out;
        out.println(READY_PREFIX + "mongodb://" + formatHost(host) + ":" + address.getPort());
        out.flush();
        // The Netty event loop threads are non-daemon and keep the JVM alive from here on.
    }

    private static String formatHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "127.0.0.1";
        }
        if (host.contains(":") && !host.startsWith("[")) {
            return "[" + host + "]";
        }
        return host;
    }

    private static String requireValue(String[] args, int index, String option) {
        if (index >= args.length) {
            fail("missing value for " + option);
        }
        return args[index];
    }

    private static void fail(String message) {
        System.err.println("govgate-mongo: " + message);
        System.exit(2);
    }
}
