/*
 * JdbcProbe - connect to PostgreSQL with pgjdbc and report the outcome.
 *
 * Usage: java -cp postgresql.jar:. JdbcProbe URL [TRUSTSTORE TYPE PASSWORD]
 * With a trust store, pgjdbc's DefaultJavaSSLFactory is used, so the JVM's
 * javax.net.ssl.trustStore decides which server certificates are trusted.
 * Prints "connected ssl=<t|f>" and exits 0, or "failed: <message>" and exits 1.
 */
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

public class JdbcProbe {
    public static void main(String[] args) {
        if (args.length >= 4) {
            System.setProperty("javax.net.ssl.trustStore", args[1]);
            System.setProperty("javax.net.ssl.trustStoreType", args[2]);
            System.setProperty("javax.net.ssl.trustStorePassword", args[3]);
        }
        try (Connection c = DriverManager.getConnection(args[0]);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            r.next();
            System.out.println("connected ssl=" + (r.getBoolean(1) ? "t" : "f"));
            System.exit(0);
        } catch (Exception e) {
            Throwable t = e;
            StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
                sb.append(" | ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            }
            System.out.println("failed: " + sb.toString().replace('\n', ' '));
            System.exit(1);
        }
    }
}
