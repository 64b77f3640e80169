using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Model;
using PassMan.Ssh;
using PassMan.Storage;

namespace PassMan;

/// <summary>Host keys: what targets offer, what the vault pins, and trusting them on request.</summary>
public sealed partial class Vault
{
    /// <summary>Time limits for every SSH connection this vault's work opens.</summary>
    public SshOptions SshOptions { get; set; } = SshOptions.Default;

    /// <summary>
    /// Connects to a target without logging in and reports every host key it offers against the
    /// pins. Fails with TargetUnreachable. Pins made from a bare fingerprint get their key here
    /// when the server shows one with that fingerprint (written only when <paramref name="record"/>
    /// is set); nothing new is trusted.
    /// </summary>
    public TargetProbe ProbeTarget(string name, bool record = true)
    {
        var target = RequireTarget(name);
        var offered = SshConnector.Scan(EndpointOf(target), SshOptions);
        var pins = CompletePins(target, offered, record);
        return new TargetProbe(target.Name, target.HostName, target.Port, offered, pins);
    }

    /// <summary>
    /// Pins the keys a probe saw, as <see cref="TrustHostKeys(string, IReadOnlyList{HostKey}, bool, string)"/>.
    /// </summary>
    public TargetProbe TrustHostKeys(TargetProbe probe, bool force)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return TrustHostKeys(probe.Target, probe.OfferedKeys, force, "the keys the target offered");
    }

    /// <summary>
    /// Pins <paramref name="keys"/> for the target's host and port, audited. Keys already pinned
    /// stay. When other keys are pinned and <paramref name="force"/> is not set, fails with
    /// HostKeyMismatch, since a changed key is never trusted by accident; with it, the new keys
    /// replace every pin.
    /// </summary>
    public TargetProbe TrustHostKeys(string name, IReadOnlyList<HostKey> keys, bool force, string source)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Change(() =>
        {
            var target = RequireTarget(name);
            var pins = _store.ListHostKeys(target.HostName, target.Port);
            var endpoint = EndpointOf(target);
            var changed = HostKeyTrust.Changed(keys, pins);
            if (changed && !force)
            {
                var offered = keys.FirstOrDefault(key => HostKeyTrust.Judge(key, pins) == HostKeyTrust.Verdict.Mismatch)
                    ?? keys[0];
                throw SshErrors.HostKeyMismatch(endpoint, offered, pins, inner: null);
            }

            var now = DateTimeOffset.UtcNow;
            var kept = !changed ? pins.ToList() : [];
            var added = keys.Where(key => !kept.Any(pin => key.Equals(pin.Key))).ToList();
            kept.AddRange(added.Select(key => HostKeyPin.Of(key, now)));
            _store.ReplaceHostKeys(target.HostName, target.Port, kept);
            Audit(
                !changed ? AuditActions.HostKeyTrusted : AuditActions.HostKeyReplaced,
                target.Name,
                details: $"{endpoint}, from {source}: "
                    + (added.Count == 0 ? "no new key" : string.Join(", ", added.Select(k => k.Label)))
                    + (!changed ? string.Empty : $"; replaced {string.Join(", ", pins.Select(p => p.Fingerprint))}"));
            return new TargetProbe(target.Name, target.HostName, target.Port, keys, kept);
        });
    }

    /// <summary>The pins for a target, completed first when some are bare fingerprints.</summary>
    private IReadOnlyList<HostKeyPin> PinsFor(TargetRecord target, bool record = true)
    {
        var pins = _store.ListHostKeys(target.HostName, target.Port);
        return pins.Any(pin => pin.Key is null)
            ? CompletePins(target, SshConnector.Scan(EndpointOf(target), SshOptions), record)
            : pins;
    }

    /// <summary>
    /// Gives each bare-fingerprint pin the offered key with that fingerprint, and stores that when
    /// <paramref name="record"/> is set. The pins are read again inside the write, so a change of
    /// pins made meanwhile is not undone.
    /// </summary>
    private List<HostKeyPin> CompletePins(TargetRecord target, IReadOnlyList<HostKey> offered, bool record)
    {
        List<HostKeyPin> Complete(IReadOnlyList<HostKeyPin> pins) => pins
            .Select(pin => pin.Key is null && offered.FirstOrDefault(k => k.Fingerprint == pin.Fingerprint) is { } key
                ? pin with { Key = key }
                : pin)
            .ToList();

        var stored = _store.ListHostKeys(target.HostName, target.Port);
        var completed = Complete(stored);
        var gained = completed.Zip(stored).Any(pair => pair.First.Key is not null && pair.Second.Key is null);
        if (!record || !gained)
        {
            return completed;
        }

        return Change(() =>
        {
            var fresh = Complete(_store.ListHostKeys(target.HostName, target.Port));
            _store.ReplaceHostKeys(target.HostName, target.Port, fresh);
            return fresh;
        });
    }

    private static SshEndpoint EndpointOf(TargetRecord target) => new(target.Name, target.HostName, target.Port);
}

/// <summary>What Test-PMTarget reports: a target's host keys against the vault's pins.</summary>
public sealed class TargetProbe
{
    internal TargetProbe(
        string target,
        string hostName,
        int port,
        IReadOnlyList<HostKey> offered,
        IReadOnlyList<HostKeyPin> pins)
    {
        Target = target;
        HostName = hostName;
        Port = port;
        OfferedKeys = offered;
        HostKeys = offered
            .Select(key => new HostKeyReport(key, HostKeyTrust.Judge(key, pins)))
            .ToList();
        PinnedFingerprints = pins.Select(pin => pin.Fingerprint).ToList();
        Trust = pins.Count == 0 ? "NotTrusted"
            : HostKeyTrust.Changed(offered, pins) ? "Mismatch"
            : "Trusted";
    }

    /// <summary>The target's name.</summary>
    public string Target { get; }

    /// <summary>The host name or address connected to.</summary>
    public string HostName { get; }

    /// <summary>The SSH port.</summary>
    public int Port { get; }

    /// <summary>
    /// Trusted when the server offers pinned keys, NotTrusted when nothing is pinned, Mismatch
    /// when a pinned key type now has another key, or the server offers none of the pinned keys.
    /// </summary>
    public string Trust { get; }

    /// <summary>Every host key the server offers, with its status against the pins.</summary>
    public IReadOnlyList<HostKeyReport> HostKeys { get; }

    /// <summary>The fingerprints the vault pins for the host and port.</summary>
    public IReadOnlyList<string> PinnedFingerprints { get; }

    internal IReadOnlyList<HostKey> OfferedKeys { get; }

    /// <inheritdoc/>
    public override string ToString() => Target;
}

/// <summary>One host key a server offers, as Test-PMTarget lists it.</summary>
public sealed class HostKeyReport
{
    internal HostKeyReport(HostKey key, HostKeyTrust.Verdict verdict)
    {
        KeyType = key.KeyType;
        Fingerprint = key.Fingerprint;
        Status = verdict switch
        {
            HostKeyTrust.Verdict.Trusted => "Pinned",
            HostKeyTrust.Verdict.NotTrusted => "New",
            HostKeyTrust.Verdict.Mismatch => "Changed",
            _ => "NotPinned",
        };
    }

    /// <summary>The key type: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa...</summary>
    public string KeyType { get; }

    /// <summary>The SHA-256 fingerprint, as ssh-keygen -l prints it.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Pinned; New when nothing is pinned for the host; Changed when another key of this type is
    /// pinned; NotPinned when keys of other types are.
    /// </summary>
    public string Status { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{KeyType} {Fingerprint}";
}
