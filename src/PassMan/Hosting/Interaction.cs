using System;
using System.Management.Automation;
using System.Security;

namespace PassMan.Commands.Hosting;

/// <summary>
/// The one definition of "interactive" for the whole module, and the prompts that depend on it.
/// A session is interactive when its host has a user interface that can prompt and pwsh was not
/// started with -NonInteractive (nor with its input redirected, as in a scheduled job).
/// </summary>
internal static class Interaction
{
    private static readonly Lazy<bool> s_nonInteractiveProcess = new(StartedNonInteractive);

    public static bool IsInteractive(PSCmdlet cmdlet)
    {
        var host = cmdlet.Host;
        if (host?.UI is null || s_nonInteractiveProcess.Value)
        {
            return false;
        }

        return host.Name switch
        {
            // A runspace created without a host, and the host of remote and background jobs.
            "Default Host" or "ServerRemoteHost" => false,
            "ConsoleHost" => !Console.IsInputRedirected,
            _ => true,
        };
    }

    /// <summary>Reads a secret at a masked prompt, or fails with InteractiveInputRequired.</summary>
    public static SecureString ReadSecret(PSCmdlet cmdlet, string prompt, string parameter)
    {
        if (!IsInteractive(cmdlet))
        {
            throw InputRequired(cmdlet, parameter);
        }

        try
        {
            cmdlet.Host.UI.Write(prompt + ": ");
            return cmdlet.Host.UI.ReadLineAsSecureString();
        }
        catch (Exception e) when (e is InvalidOperationException or NotImplementedException)
        {
            // A host that claimed to prompt and could not: report it as PassMan's own error.
            throw InputRequired(cmdlet, parameter, e);
        }
    }

    /// <summary>
    /// Reads a new secret twice at masked prompts; the two must match, as a guard against a typing
    /// mistake that would lock the owner out.
    /// </summary>
    public static SecureString ReadNewSecret(PSCmdlet cmdlet, string prompt, string parameter)
    {
        var first = ReadSecret(cmdlet, prompt, parameter);
        using var second = ReadSecret(cmdlet, "Confirm " + char.ToLowerInvariant(prompt[0]) + prompt[1..], parameter);
        if (!SecureStrings.AreEqual(first, second))
        {
            first.Dispose();
            throw new PassManException(
                ErrorIds.ConfirmationMismatch,
                PassManErrorKind.InvalidArgument,
                "The two entries differ. Nothing was changed.",
                parameter);
        }

        return first;
    }

    private static PassManException InputRequired(PSCmdlet cmdlet, string parameter, Exception? inner = null) => new(
        ErrorIds.InteractiveInputRequired,
        PassManErrorKind.InvalidOperation,
        $"{cmdlet.MyInvocation.MyCommand.Name} needs {parameter} in a session that cannot prompt.",
        parameter,
        inner);

    /// <summary>
    /// Whether pwsh was started with -NonInteractive. PowerShell keeps this in its host, out of
    /// reach of a module, so it is read from the command line: switches come before -Command or
    /// -File, and pwsh accepts any prefix of -NonInteractive from -noni on.
    /// </summary>
    private static bool StartedNonInteractive()
    {
        var arguments = Environment.GetCommandLineArgs();
        for (var i = 1; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            if (argument.Length < 2 || argument[0] is not ('-' or '/'))
            {
                continue;
            }

            var name = argument.TrimStart('-', '/').ToLowerInvariant();
            if (name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.Ordinal))
            {
                return true;
            }

            if (name is "c" or "command" or "f" or "file" or "e" or "ec" or "encodedcommand"
                or "cwa" or "commandwithargs")
            {
                break;
            }
        }

        return false;
    }
}
