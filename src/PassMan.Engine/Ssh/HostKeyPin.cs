using System;
using System.Collections.Generic;
using System.Linq;

namespace PassMan.Ssh;

/// <summary>
/// A host key the vault trusts for one host and port. A pin made from a fingerprint alone
/// (New-PMTarget -HostKeyFingerprint) has no key yet; the first connection that sees a key with
/// that fingerprint completes it.
/// </summary>
public sealed record HostKeyPin(string Fingerprint, HostKey? Key, DateTimeOffset PinnedUtc)
{
    /// <summary>The pinned key's type; null until a pin made from a fingerprint is completed.</summary>
    public string? KeyType => Key?.KeyType;

    /// <summary>A pin of a key a server offered.</summary>
    public static HostKeyPin Of(HostKey key, DateTimeOffset now) => new(key.Fingerprint, key, now);
}

/// <summary>
/// What the vault decides about a host key a server offers: the rule of invariant 3, in one place.
/// </summary>
public static class HostKeyTrust
{
    /// <summary>The verdict on one offered key.</summary>
    public enum Verdict
    {
        /// <summary>The key is pinned.</summary>
        Trusted,

        /// <summary>Nothing is pinned for the host and port.</summary>
        NotTrusted,

        /// <summary>A different key of the same type is pinned: the host's key has changed.</summary>
        Mismatch,

        /// <summary>Keys are pinned, none of this type; a connection never relies on such a key.</summary>
        Unpinned,
    }

    /// <summary>Judges <paramref name="offered"/> against the pins of its host and port.</summary>
    public static Verdict Judge(HostKey offered, IReadOnlyCollection<HostKeyPin> pins)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(pins);
        if (pins.Count == 0)
        {
            return Verdict.NotTrusted;
        }

        // A pin with a key is compared by the key itself; a fingerprint-only pin by its fingerprint,
        // which is a hash of the key and so names it as well.
        if (pins.Any(pin => pin.Key is { } key
            ? key.Equals(offered)
            : string.Equals(pin.Fingerprint, offered.Fingerprint, StringComparison.Ordinal)))
        {
            return Verdict.Trusted;
        }

        // A bare fingerprint that no key the server offers matched (pins are completed from a scan
        // first) is a key the server no longer has: it counts as changed, whatever its type was.
        return pins.Any(pin => pin.KeyType == offered.KeyType || pin.Key is null) ? Verdict.Mismatch : Verdict.Unpinned;
    }

    /// <summary>
    /// Whether a set of keys a server offers shows that the host's keys changed: a pinned type
    /// now has another key, or keys are pinned and none of them is offered any more.
    /// </summary>
    public static bool Changed(IReadOnlyCollection<HostKey> offered, IReadOnlyCollection<HostKeyPin> pins)
    {
        ArgumentNullException.ThrowIfNull(offered);
        var verdicts = offered.Select(key => Judge(key, pins)).ToList();
        return verdicts.Contains(Verdict.Mismatch)
            || (pins.Count > 0 && offered.Count > 0 && !verdicts.Contains(Verdict.Trusted));
    }

    /// <summary>
    /// The host key algorithms to offer a server: those of the pinned key types, so that a server
    /// with several keys shows one of the pinned ones; every type when no pin holds a key yet.
    /// </summary>
    public static IReadOnlyList<string> AlgorithmsFor(IReadOnlyCollection<HostKeyPin> pins)
    {
        var types = pins.Where(pin => pin.Key is not null).Select(pin => pin.KeyType!)
            .ToHashSet(StringComparer.Ordinal);
        return HostKeyTypes.All.Where(type => types.Count == 0 || types.Contains(type))
            .SelectMany(HostKeyTypes.AlgorithmsOf)
            .ToList();
    }
}
