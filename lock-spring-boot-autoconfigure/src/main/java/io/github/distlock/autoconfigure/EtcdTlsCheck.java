package io.github.distlock.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;

/**
 * The start-up check of TLS to etcd when its trust material comes from an SSL bundle: a TLS handshake with each
 * endpoint, with the bundle's context and host name verification, bounded by the connect timeout. A handshake that
 * fails is a configuration error that no later call can get past (the bundle does not trust the server's CA, or the
 * certificate does not name the host), so it fails start-up naming the bundle property; an endpoint that does not
 * answer may come up later, so it is only logged, and lock calls fail closed meanwhile. The handshake is made
 * directly rather than through jetcd, whose retries would turn a refused certificate into a time-out. Stateless.
 */
final class EtcdTlsCheck {

    private static final Logger logger = LoggerFactory.getLogger(EtcdTlsCheck.class);

    private EtcdTlsCheck() {
    }

    static void refuseUntrustedServer(SslBundle bundle, EtcdConnectionSettings connection, String bundleName) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, connection.connectTimeout().toMillis());
        SSLSocketFactory sockets = bundle.createSslContext().getSocketFactory();
        for (URI endpoint : connection.endpoints()) {
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), timeout);
                plain.setSoTimeout(timeout);
                try (SSLSocket tls = (SSLSocket) sockets.createSocket(plain, endpoint.getHost(), endpoint.getPort(),
                        false)) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    parameters.setApplicationProtocols(new String[] { "h2" });
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();
                }
            }
            catch (SSLException ex) {
                throw new InvalidConfigurationPropertyValueException(EtcdLockProperties.PREFIX + ".ssl.bundle",
                        bundleName, "the TLS handshake with etcd at " + endpoint + " failed: " + ex.getMessage()
                                + ". Check that the bundle trusts the CA that signed the etcd members' certificates "
                                + "and that each certificate names its endpoint's host");
            }
            catch (IOException ex) {
                logger.warn("etcd at {} did not answer at start-up ({}); lock calls fail until it does", endpoint,
                        ex.toString());
            }
        }
    }

}
