/*
 * JdbcProbe - connect to PostgreSQL with pgjdbc and report the outcome.
 *
 * Usage: java -cp postgresql.jar:. JdbcProbe URL [TRUSTSTORE TYPE PASSWORD [WAITFILE]]
 * With a trust store, pgjdbc's DefaultJavaSSLFactory is used, so the JVM's
 * javax.net.ssl.trustStore decides which server certificates are trusted.
 * Prints "connected ssl=<t|f>" and exits 0, or "failed: <message>" and exits 1.
 * With WAITFILE: connects once, prints, waits (up to 120 s) until WAITFILE
 * exists, then connects again in the same JVM and prints the second result
 * (shows whether a running JVM sees a trust store updated meanwhile).
 * With loop:DIR instead of WAITFILE: a long-running JVM that connects once
 * each time DIR/go.N appears (N = 1, 2, ...), writes the line it prints to
 * DIR/res.N, and ends when DIR/stop appears (test_rehearse.py).
 */
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

public class JdbcProbe {
    public static void main(String[] args) throws Exception {
        if (args.length >= 4) {
            System.setProperty("javax.net.ssl.trustStore", args[1]);
            System.setProperty("javax.net.ssl.trustStoreType", args[2]);
            System.setProperty("javax.net.ssl.trustStorePassword", args[3]);
        }
        if (args.length >= 5 && args[4].startsWith("loop:")) {
            loop(args[0], args[4].substring(5));
            System.exit(0);
        }
        if (args.length >= 5) {
            boolean first = once(args[0]);
            java.io.File f = new java.io.File(args[4]);
            for (int i = 0; i < 1200 && !f.exists(); i++) {
                Thread.sleep(100);
            }
            System.exit(once(args[0]) && first ? 0 : 1);
        }
        System.exit(once(args[0]) ? 0 : 1);
    }

    static void loop(String url, String dir) throws Exception {
        for (int n = 1; n < 100; n++) {
            java.io.File go = new java.io.File(dir, "go." + n);
            while (!go.exists()) {
                if (new java.io.File(dir, "stop").exists()) {
                    return;
                }
                Thread.sleep(50);
            }
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.out;
            System.setOut(new java.io.PrintStream(buf, true));
            once(url);
            System.setOut(old);
            java.nio.file.Path tmp = new java.io.File(dir, "res." + n + ".tmp").toPath();
            java.nio.file.Files.write(tmp, buf.toByteArray());
            java.nio.file.Files.move(tmp, new java.io.File(dir, "res." + n).toPath());
        }
    }

    static boolean once(String url) {
        try (Connection c = DriverManager.getConnection(url);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            r.next();
            System.out.println("connected ssl=" + (r.getBoolean(1) ? "t" : "f"));
            System.out.flush();
            return true;
        } catch (Exception e) {
            Throwable t = e;
            StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
                sb.append(" | ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            }
            System.out.println("failed: " + sb.toString().replace('\n', ' '));
            System.out.flush();
            return false;
        }
    }
}
