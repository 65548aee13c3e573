package io.github.distlock.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import io.github.distlock.core.InvalidSettingException;

import org.jspecify.annotations.Nullable;

/**
 * Where etcd is and how to log in, checked: at least one endpoint, each an {@code http} or {@code https} URL with a
 * host and a port; a password only with a user; a positive connect timeout. Immutable.
 *
 * @param endpoints the members' client URLs
 * @param username the login user, if etcd's authentication is on
 * @param password the login password
 * @param connectTimeout the time limit for opening a connection
 */
record EtcdConnectionSettings(List<URI> endpoints, @Nullable String username, @Nullable String password,
        Duration connectTimeout) {

    static final String DEFAULT_ENDPOINT = "http://localhost:2379";

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    EtcdConnectionSettings {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new InvalidSettingException("endpoints", endpoints, "must name at least one etcd member");
        }
        endpoints = List.copyOf(endpoints);
        if (connectTimeout == null || connectTimeout.toMillis() < 1) {
            throw new InvalidSettingException("connectTimeout", connectTimeout, "must be at least 1ms");
        }
        if (password != null && (username == null || username.isEmpty())) {
            throw new InvalidSettingException("username", username, "must be set when a password is");
        }
    }

    /**
     * Parses the endpoints and checks everything.
     * @throws InvalidSettingException naming the invalid setting
     */
    static EtcdConnectionSettings of(List<String> endpoints, @Nullable String username, @Nullable String password,
            Duration connectTimeout) {
        return new EtcdConnectionSettings((endpoints == null) ? List.of()
                : endpoints.stream().map(EtcdConnectionSettings::endpoint).toList(), username, password,
                connectTimeout);
    }

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text.trim());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getPort() < 0) {
                throw new InvalidSettingException("endpoints", text,
                        "must be an http:// or https:// URL with a host and a port, such as " + DEFAULT_ENDPOINT);
            }
            if (uri.getRawUserInfo() != null) {
                // Never echo the value: its user information may hold a password.
                throw new InvalidSettingException("endpoints", uri.getScheme() + "://******@" + uri.getHost(),
                        "must not carry credentials: set distributed-lock.etcd.username and password instead");
            }
            return uri;
        }
        catch (URISyntaxException ex) {
            throw new InvalidSettingException("endpoints", text, "is not a URL: " + ex.getMessage());
        }
    }

    /**
     * Returns the endpoints for messages: URLs without user information.
     * @return the endpoints, comma-separated
     */
    String describe() {
        return this.endpoints.stream().map(uri -> uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort())
            .collect(Collectors.joining(",", "etcd at ", ""));
    }

    @Override
    public String toString() {
        return "EtcdConnectionSettings[" + describe() + ", username=" + this.username + "]";
    }

}
