using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PassMan.Model;

namespace PassMan.Commands.Hosting;

/// <summary>
/// The shared part of PassMan's tab completion: names read from the vault this session uses,
/// matched by prefix without regard to case, and quoted when they hold characters a shell parses.
/// Completion never fails loudly: a locked, missing or broken vault completes nothing.
/// </summary>
public abstract class VaultNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        try
        {
            var session = VaultSessions.Current;
            if (session.Vault is { } vault)
            {
                return Complete(Names(vault, prefix + "*", fakeBoundParameters));
            }

            using var opened = Vault.Open(VaultLocation.FromEnvironment());
            return Complete(Names(opened, prefix + "*", fakeBoundParameters));
        }
        catch (PassManException)
        {
            return [];
        }
    }

    /// <summary>The names that match <paramref name="pattern"/>, a PowerShell wildcard.</summary>
    protected abstract IEnumerable<string> Names(Vault vault, string pattern, IDictionary boundParameters);

    private static List<CompletionResult> Complete(IEnumerable<string> names) =>
        names.Distinct(StringComparer.Ordinal)
            .Take(500)
            .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name))
            .ToList();

    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"`$&(){}[];,|<>@#".Contains(c, StringComparison.Ordinal))
            ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'"
            : name;

    /// <summary>The first value bound to a parameter while the command line is being typed.</summary>
    protected static string? Bound(IDictionary boundParameters, string name) => boundParameters[name] switch
    {
        string text => text,
        IEnumerable values => values.Cast<object>().FirstOrDefault()?.ToString(),
        null => null,
        var other => other.ToString(),
    };
}

/// <summary>Completes target names.</summary>
public sealed class TargetNameCompleter : VaultNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> Names(Vault vault, string pattern, IDictionary boundParameters) =>
        vault.GetTargets(pattern).Select(target => target.Name);
}

/// <summary>Completes user names, of the target already typed when there is one.</summary>
public sealed class UserNameCompleter : VaultNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> Names(Vault vault, string pattern, IDictionary boundParameters) =>
        vault.GetAccounts(target: Bound(boundParameters, "Target"), userName: pattern)
            .Select(account => account.UserName);
}

/// <summary>Completes policy names.</summary>
public sealed class PolicyNameCompleter : VaultNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> Names(Vault vault, string pattern, IDictionary boundParameters) =>
        vault.GetPolicies(pattern).Select(policy => policy.Name);
}

/// <summary>Completes a parameter from a fixed list of values.</summary>
public abstract class FixedValuesCompleter : IArgumentCompleter
{
    private readonly IReadOnlyList<string> _values;

    /// <summary>Creates a completer offering <paramref name="values"/>.</summary>
    protected FixedValuesCompleter(IReadOnlyList<string> values) => _values = values;

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters) =>
        _values
            .Where(value => value.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase))
            .Select(value => new CompletionResult(value, value, CompletionResultType.ParameterValue, value));
}

/// <summary>Completes the SSH key types.</summary>
public sealed class SshKeyTypeCompleter : FixedValuesCompleter
{
    /// <summary>Creates the completer.</summary>
    public SshKeyTypeCompleter()
        : base(SshKeyTypes.All)
    {
    }
}

/// <summary>Completes the platforms.</summary>
public sealed class PlatformCompleter : FixedValuesCompleter
{
    /// <summary>Creates the completer.</summary>
    public PlatformCompleter()
        : base(Platforms.All)
    {
    }
}
