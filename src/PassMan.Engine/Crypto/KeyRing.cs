using System;
using System.Collections.Generic;
using System.Linq;

namespace PassMan.Crypto;

/// <summary>
/// The unwrapped data keys of one vault: the active key encrypts new secrets, and every key can
/// still decrypt what it encrypted.
/// </summary>
public sealed class KeyRing : IDisposable
{
    private readonly Dictionary<Guid, DataKey> _keys = new();

    internal KeyRing(Guid activeKeyId, IEnumerable<DataKey> keys)
    {
        foreach (var key in keys)
        {
            _keys.Add(key.Id, key);
        }

        if (!_keys.ContainsKey(activeKeyId))
        {
            Dispose();
            throw new PassManException(
                ErrorIds.VaultCorrupt,
                PassManErrorKind.InvalidData,
                "The vault names an active data key that it does not hold.");
        }

        ActiveKeyId = activeKeyId;
    }

    /// <summary>The id of the key that encrypts new secrets.</summary>
    public Guid ActiveKeyId { get; }

    internal DataKey Active => _keys[ActiveKeyId];

    internal IEnumerable<DataKey> Keys => _keys.Values;

    internal DataKey? Find(Guid keyId) => _keys.GetValueOrDefault(keyId);

    /// <summary>A ring of its own with the same keys, for another connection to the same vault.</summary>
    internal KeyRing Copy() =>
        new(ActiveKeyId, _keys.Values.Select(key => DataKey.FromBuffer(key.Id, new SecretBuffer(key.Bytes))));

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }
}
