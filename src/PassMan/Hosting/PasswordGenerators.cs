using System.Collections.Generic;
using PassMan.Crypto;
using PassMan.Generation;
using PassMan.Model;

namespace PassMan.Commands.Hosting;

/// <summary>
/// One password generator per policy for the length of a command: a generator counts its policy's
/// passwords once, which costs more than generating one, and a bulk run uses few policies.
/// </summary>
internal sealed class PasswordGenerators
{
    private readonly Dictionary<PolicySettings, PasswordGenerator> _byPolicy = new();

    /// <summary>A new password from <paramref name="policy"/>; the caller disposes it.</summary>
    public SecretBuffer Password(PolicySettings policy)
    {
        if (!_byPolicy.TryGetValue(policy, out var generator))
        {
            generator = new PasswordGenerator(policy);
            _byPolicy.Add(policy, generator);
        }

        return generator.Generate();
    }
}
