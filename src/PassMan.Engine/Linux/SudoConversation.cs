using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PassMan.Crypto;
using PassMan.Ssh;

namespace PassMan.Linux;

/// <summary>
/// Runs a command as root through a reconcile account's sudo, with one line of input: for
/// <c>sudo chpasswd</c>, the <c>user:password</c> line. sudo is probed first with <c>sudo -n</c>;
/// only when it asks for a password is the reconcile account's password typed, at sudo's own
/// prompt, and the input line is written only after sudo has let the script through. So neither
/// secret can be read by the wrong program: sudo never sees the input line, the command never the
/// sudo password. Markers carry a random nonce, so nothing else the target prints can pass for them.
/// </summary>
public sealed class SudoConversation : Conversation
{
    /// <summary>The exit status of the script when sudo did not let the reconcile account in.</summary>
    public const int SudoRefusedStatus = 91;

    private readonly string _command;
    private readonly SecretBuffer? _input;
    private readonly SecretBuffer? _sudoPassword;
    private readonly string _nonce;
    private int _promptsAnswered;

    /// <summary>
    /// Creates the conversation for <paramref name="command"/>, shell text that must hold no secret;
    /// <paramref name="input"/>, if any, is its one line of standard input. The caller keeps and
    /// disposes both secrets.
    /// </summary>
    public SudoConversation(string command, SecretBuffer? input, SecretBuffer? sudoPassword)
    {
        _command = command ?? throw new ArgumentNullException(nameof(command));
        _input = input;
        _sudoPassword = sudoPassword;
        _nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>The line chpasswd reads for <paramref name="userName"/>; the caller disposes it.</summary>
    public static SecretBuffer ChpasswdLine(string userName, SecretBuffer newPassword)
    {
        ArgumentNullException.ThrowIfNull(newPassword);
        var name = Encoding.UTF8.GetBytes(LinuxAccounts.RequireUserName(userName) + ":");
        var line = new SecretBuffer(name.Length + newPassword.Length);
        name.CopyTo(line.Span);
        newPassword.Span.CopyTo(line.Span[name.Length..]);
        return line;
    }

    /// <summary>The script to run as the reconcile account. It holds no secret.</summary>
    public string Script => $$"""
        LC_ALL=C
        export LC_ALL
        if sudo -n true >/dev/null 2>&1; then
            echo '{{Marker("SUDO-READY")}}'
        else
            {{SudoValidate}} || { echo '{{Marker("SUDO-REFUSED")}}'; exit {{SudoRefusedStatus}}; }
        fi
        echo '{{Marker("RUN")}}'
        sudo -n {{_command}}
        echo "{{Marker("EXIT")}} $?"
        """;

    /// <summary>
    /// How the script asks sudo to let the reconcile account in: at a prompt the conversation
    /// answers when the vault holds its password, else without one (sudo -n), which fails at once.
    /// </summary>
    private string SudoValidate => _sudoPassword is null
        ? "sudo -n -v"
        : $"sudo -S -p '{Marker("SUDO-PROMPT")}\n' -v";

    /// <summary>Whether sudo asked for the reconcile account's password.</summary>
    public bool SudoAskedPassword => _promptsAnswered > 0;

    /// <summary>Whether sudo asked again after the password was typed: it did not accept it.</summary>
    public bool SudoPasswordRejected { get; private set; }

    /// <summary>Whether the script reached the command, and its input line was written.</summary>
    public bool LineSent { get; private set; }

    /// <inheritdoc/>
    public override void OnOutput(string output, ConversationInput input)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsClosed || LineSent)
        {
            return;
        }

        if (output.Contains(Marker("RUN"), StringComparison.Ordinal))
        {
            // A command without input keeps its input open: closing an input never written to
            // would stop it (see ConversationInput.Close).
            if (_input is not null)
            {
                input.WriteLine(_input.Span);
                input.Close();
            }

            LineSent = true;
            return;
        }

        var prompts = Count(output, Marker("SUDO-PROMPT"));
        if (prompts > _promptsAnswered)
        {
            if (prompts > 1 || _sudoPassword is null)
            {
                // Asked again: the password was wrong, and typing anything more would be guessing.
                SudoPasswordRejected = prompts > 1;
                input.Close();
                return;
            }

            input.WriteLine(_sudoPassword.Span);
            _promptsAnswered = prompts;
        }
    }

    /// <summary>Whether the script reached the command and the command succeeded.</summary>
    public bool Succeeded(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return LineSent
            && result.ExitStatus == 0
            && result.Output.Contains(Marker("EXIT") + " 0\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// What the target printed, without the script's markers: sudo's and the command's own words,
    /// for an error message. Masked once the lines are joined, which may piece a secret together.
    /// </summary>
    public string Explain(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = result.Output.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var words = new StringBuilder();
        foreach (var line in lines)
        {
            var text = line.Trim();
            if (text.Length > 0 && !text.Contains(_nonce, StringComparison.Ordinal))
            {
                words.Append(words.Length > 0 ? " " : string.Empty).Append(text);
            }
        }

        return Scrub(words.ToString());
    }

    /// <inheritdoc/>
    public override string Scrub(string text) => SecretMask.Apply(text, _input, _sudoPassword);

    private string Marker(string name) => string.Create(CultureInfo.InvariantCulture, $"PASSMAN-{_nonce}-{name}");

    private static int Count(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0;
            at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
