/*
 * PropsProbe - connect to PostgreSQL with pgjdbc as applications do with
 * java.util.Properties: DriverManager.getConnection(URL, props).
 *
 * Usage: java -cp postgresql.jar:. PropsProbe URL [KEY=VALUE]...
 * Each KEY=VALUE is props.setProperty(KEY, VALUE).  Prints
 * "connected ssl=<t|f>" and exits 0, or "failed: <message>" and exits 1.
 */
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

public class PropsProbe {
    public static void main(String[] args) {
        Properties props = new Properties();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            props.setProperty(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (Connection c = DriverManager.getConnection(args[0], props);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            r.next();
            System.out.println("connected ssl=" + (r.getBoolean(1) ? "t" : "f"));
            System.exit(0);
        } catch (Exception e) {
            System.out.println("failed: " + String.valueOf(e.getMessage()).replace('\n', ' '));
            System.exit(1);
        }
    }
}
