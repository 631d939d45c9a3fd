package dev.tinygpt.serving;

import dev.tinygpt.testenv.Component;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debian's nginx in front of tinygpt replicas on loopback, configured by the very file the docs
 * give ({@code docs/nginx/tinygpt.conf}) with only its addresses changed: its {@code listen} line
 * to a free port, its {@code upstream} block's {@code server} lines to the replicas. A small main
 * configuration around it keeps every file nginx writes in one directory, so no root and no system
 * nginx is touched.
 */
final class NginxFront implements AutoCloseable {
    /** The documented configuration, an http-context file. */
    static final Path TEMPLATE = Path.of("docs", "nginx", "tinygpt.conf");

    private static final Pattern LISTEN = Pattern.compile("(?m)^(\\s*listen\\s+)[^;]+;");
    private static final Pattern SERVERS =
            Pattern.compile(
                    "(?m)^(\\s*)server\\s+127\\.0\\.0\\.1:\\d+;\\n(?:\\s*server\\s+[^;]+;\\n)*");

    private final Process process;
    private final URI uri;
    private final Path dir;

    private NginxFront(Process process, URI uri, Path dir) {
        this.process = process;
        this.uri = uri;
        this.dir = dir;
    }

    /**
     * The documented file with its listen address {@code 127.0.0.1:port} and one upstream {@code
     * server} line per replica; an error if the file no longer has the lines this replaces.
     */
    static String site(String template, int port, List<URI> replicas) {
        Matcher listen = LISTEN.matcher(template);
        Matcher servers = SERVERS.matcher(template);
        if (!listen.find() || !servers.find()) {
            throw new IllegalStateException(
                    TEMPLATE + " has no 'listen' line or no 'server 127.0.0.1:PORT;' lines");
        }
        String indent = servers.group(1);
        String lines =
                replicas.stream()
                        .map(r -> indent + "server " + r.getHost() + ":" + r.getPort() + ";\n")
                        .collect(Collectors.joining());
        String withServers =
                template.substring(0, servers.start()) + lines + template.substring(servers.end());
        return LISTEN.matcher(withServers)
                .replaceFirst(
                        Matcher.quoteReplacement(listen.group(1) + "127.0.0.1:" + port + ";"));
    }

    /** The main configuration: one worker, its pid, logs and temporary files under {@code dir}. */
    static String main(Path dir) {
        return """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 512; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    include %1$s/tinygpt.conf;
                }
                """
                .formatted(dir.toAbsolutePath());
    }

    /** Starts nginx in front of {@code replicas}, in {@code dir}; returns once it accepts. */
    static NginxFront start(Path dir, List<URI> replicas) throws IOException, InterruptedException {
        int port = freePort();
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(
                dir.resolve("tinygpt.conf"), site(Files.readString(TEMPLATE), port, replicas));
        Files.writeString(dir.resolve("nginx.conf"), main(dir));
        Process process =
                new ProcessBuilder(
                                Component.NGINX.executable().toString(),
                                "-e",
                                dir.resolve("error.log").toString(),
                                "-p",
                                dir.toString(),
                                "-c",
                                dir.resolve("nginx.conf").toString(),
                                "-g",
                                "daemon off;")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("nginx.out").toFile())
                        .start();
        NginxFront front = new NginxFront(process, URI.create("http://127.0.0.1:" + port), dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                front.close();
                throw new IOException("nginx did not start: " + front.errors());
            }
            Thread.sleep(50);
        }
        return front;
    }

    URI uri() {
        return uri;
    }

    /** nginx's own output and error log, for a message. */
    String errors() {
        StringBuilder all = new StringBuilder();
        for (String name : List.of("nginx.out", "error.log")) {
            try {
                all.append(name).append(": ").append(Files.readString(dir.resolve(name)).strip());
                all.append(' ');
            } catch (IOException e) {
                all.append(name).append(": none ");
            }
        }
        return all.toString();
    }

    /** The access log's lines so far. */
    List<String> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM (nginx's fast shutdown), then SIGKILL if it has not gone in 10 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
