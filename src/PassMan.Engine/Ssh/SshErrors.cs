using System;
using System.Collections.Generic;
using System.Linq;

namespace PassMan.Ssh;

/// <summary>The errors of SSH work, each with its stable id and a message that says what to do.</summary>
internal static class SshErrors
{
    public static PassManException HostKeyNotTrusted(SshEndpoint endpoint, HostKey offered, Exception inner) => new(
        ErrorIds.HostKeyNotTrusted,
        PassManErrorKind.Security,
        $"The host key of the target '{endpoint.TargetName}' ({endpoint}) is not trusted yet: the server offered "
            + $"{offered.Label}. Nothing was sent to it. Compare the fingerprint with the "
            + "one the host's administrator reads on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then "
            + $"pin it: Test-PMTarget -Name '{endpoint.TargetName}' -TrustHostKey, or Import-PMKnownHost.",
        endpoint.TargetName,
        inner);

    public static PassManException HostKeyMismatch(
        SshEndpoint endpoint,
        HostKey offered,
        IEnumerable<HostKeyPin> pins,
        Exception? inner) => new(
        ErrorIds.HostKeyMismatch,
        PassManErrorKind.Security,
        $"HOST KEY MISMATCH for the target '{endpoint.TargetName}' ({endpoint}): the server offered "
            + $"{offered.Label}, which the vault does not pin (it pins "
            + string.Join(", ", pins.Select(p => $"{p.KeyType ?? "a key"} {p.Fingerprint}")) + "). "
            + "Someone may be intercepting the connection, or the host has new keys. Nothing was sent to it. "
            + "If the host's administrator confirms the new key, pin it again: "
            + $"Test-PMTarget -Name '{endpoint.TargetName}' -TrustHostKey -Force.",
        endpoint.TargetName,
        inner);

    public static PassManException Unreachable(SshEndpoint endpoint, Exception inner) => new(
        ErrorIds.TargetUnreachable,
        PassManErrorKind.ResourceUnavailable,
        $"The target '{endpoint.TargetName}' ({endpoint}) cannot be reached over SSH: {inner.Message}",
        endpoint.TargetName,
        inner);

    public static PassManException LoginFailed(SshEndpoint endpoint, SshLogin login, Exception inner) => new(
        ErrorIds.LoginFailed,
        PassManErrorKind.AuthenticationFailed,
        $"{endpoint.TargetName}/{login.UserName}: the target refused the {login.Method} ({inner.Message}).",
        $"{endpoint.TargetName}/{login.UserName}",
        inner);
}
