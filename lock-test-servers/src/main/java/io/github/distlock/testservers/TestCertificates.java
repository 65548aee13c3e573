package io.github.distlock.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority and a server certificate for {@code 127.0.0.1}, made with the
 * {@code openssl} command for one test, so TLS is tested without any key material in the repository.
 *
 * @param directory where the files are
 * @param caCertificate the CA certificate (PEM)
 * @param serverCertificate the server certificate (PEM), valid for IP 127.0.0.1
 * @param serverKey the server's private key (PEM)
 */
public record TestCertificates(Path directory, Path caCertificate, Path serverCertificate, Path serverKey) {

    /**
     * Generates the files in the given directory.
     * @param directory an existing directory
     * @return the generated certificates
     * @throws IllegalStateException naming what to install when {@code openssl} is missing
     */
    public static TestCertificates generate(Path directory) {
        if (RedisBinary.findOnPath("openssl").isEmpty()) {
            throw new IllegalStateException("The TLS tests need the openssl command (Debian: apt-get install -y openssl)");
        }
        try {
            Path extensions = directory.resolve("server.ext");
            Files.writeString(extensions, "subjectAltName=IP:127.0.0.1\n");
            run(directory, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                    "ca.crt", "-days", "2", "-subj", "/CN=distlock test CA");
            run(directory, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
                    "server.csr", "-subj", "/CN=127.0.0.1");
            run(directory, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
            return new TestCertificates(directory, directory.resolve("ca.crt"), directory.resolve("server.crt"),
                    directory.resolve("server.key"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Returns the arguments that make a Redis server listen for TLS on the given port with these certificates.
     * @param tlsPort the TLS port
     * @return the command-line arguments
     */
    public List<String> redisTlsArguments(int tlsPort) {
        return List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", this.serverCertificate.toString(),
                "--tls-key-file", this.serverKey.toString(), "--tls-ca-cert-file", this.caCertificate.toString(),
                "--tls-auth-clients", "no");
    }

    /**
     * Returns an SSL context that trusts only this test CA.
     * @return the context
     */
    public SSLContext clientContext() {
        try (InputStream pem = Files.newInputStream(this.caCertificate)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(pem);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("distlock-test-ca", ca);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void run(Path directory, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(directory.resolve("openssl.log").toFile())
                .start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed:\n"
                        + Files.readString(directory.resolve("openssl.log")));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
