using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace PassMan.Ssh;

/// <summary>An authenticated SSH connection to one target.</summary>
public sealed class SshSession : IDisposable
{
    /// <summary>The most output one command may print; more is a failure, not a reason to grow.</summary>
    private const int MaxOutput = 64 * 1024;

    private readonly SshClient _client;
    private readonly SshOptions _options;
    private readonly bool _lent;
    private Action? _returned;

    internal SshSession(SshEndpoint endpoint, SshClient client, SshOptions options, Action? returned = null)
    {
        Endpoint = endpoint;
        _client = client;
        _options = options;
        _lent = returned is not null;
        _returned = returned;
    }

    /// <summary>The target this session is connected to.</summary>
    public SshEndpoint Endpoint { get; }

    /// <summary>
    /// Runs <paramref name="script"/> with its standard error joined to its output, and lets
    /// <paramref name="conversation"/> answer on its standard input as output arrives. The script
    /// is visible on the target's process list, so it must never hold a secret; secrets go
    /// through the conversation. Fails with TargetCommandFailed on a timeout or a lost connection.
    /// </summary>
    public CommandResult Run(string script, Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(conversation);
        using var command = _client.CreateCommand("exec 2>&1\n" + script);
        using var timeout = new CancellationTokenSource(_options.CommandTimeout);
        var output = new StringBuilder();
        try
        {
            var execution = command.ExecuteAsync(timeout.Token);
            using (var input = new ConversationInput(InputOf(command)))
            {
                conversation.OnOutput(string.Empty, input);
                Converse(command.OutputStream, output, conversation, input, timeout.Token);
                if (input.Abandoned)
                {
                    // Disposing the command closes the channel, and the command's input with it.
                    return new CommandResult(ExitStatus: null, conversation.Scrub(output.ToString()));
                }
            }

            execution.Wait(timeout.Token);
            return new CommandResult(command.ExitStatus, conversation.Scrub(output.ToString()));
        }
        catch (Exception failure) when (failure is OperationCanceledException or SshException
            or AggregateException or IOException or ObjectDisposedException)
        {
            throw new PassManException(
                ErrorIds.TargetCommandFailed,
                PassManErrorKind.ResourceUnavailable,
                $"{Endpoint.TargetName}: the command on the target did not finish "
                    + (timeout.IsCancellationRequested
                        ? $"within {_options.CommandTimeout.TotalSeconds:0} seconds."
                        : $"({(failure is AggregateException a ? a.InnerException!.Message : failure.Message)})."),
                Endpoint.TargetName,
                failure);
        }
    }

    /// <summary>Whether the connection is still up, as far as the client has seen.</summary>
    internal bool IsConnected => _client.IsConnected;

    /// <summary>
    /// Closes the connection; a session lent out by <see cref="SharedSessions"/> is given back
    /// instead, and the connection stays for the next user.
    /// </summary>
    public void Dispose()
    {
        if (_lent)
        {
            Interlocked.Exchange(ref _returned, null)?.Invoke();
        }
        else
        {
            _client.Dispose();
        }
    }

    /// <summary>This connection again, for another user: disposing it calls <paramref name="returned"/>.</summary>
    internal SshSession Lend(Action returned) => new(Endpoint, _client, _options, returned);

    /// <summary>
    /// The command's standard input. A command that ends at once may have closed its channel
    /// before the input is asked for; it reads nothing more then, and its output is still there.
    /// </summary>
    private static Stream InputOf(SshCommand command)
    {
        try
        {
            return command.CreateInputStream();
        }
        catch (InvalidOperationException)
        {
            return Stream.Null;
        }
    }

    private static void Converse(
        Stream stream,
        StringBuilder output,
        Conversation conversation,
        ConversationInput input,
        CancellationToken cancel)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        while (true)
        {
            var read = ReadAsync(stream, bytes, cancel).GetAwaiter().GetResult();
            if (read == 0)
            {
                return;
            }

            var count = decoder.GetChars(bytes, 0, read, chars, 0);
            output.Append(chars, 0, count);
            if (output.Length > MaxOutput)
            {
                throw new IOException($"the command printed more than {MaxOutput / 1024} KiB");
            }

            conversation.OnOutput(output.ToString(), input);
            if (input.Abandoned)
            {
                return;
            }
        }
    }

    private static async Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancel) =>
        await stream.ReadAsync(buffer, cancel).AsTask().WaitAsync(cancel).ConfigureAwait(false);
}

/// <summary>What a command on the target ended with: its exit status and everything it printed.</summary>
/// <param name="ExitStatus">The exit status; null when the command ended by a signal or was stopped.</param>
/// <param name="Output">Its output and error, with every secret of the conversation masked.</param>
public sealed record CommandResult(int? ExitStatus, string Output);

/// <summary>The standard input of a command on the target, as a conversation writes to it.</summary>
public sealed class ConversationInput : IDisposable
{
    private readonly Stream _stream;
    private bool _closed;
    private bool _written;

    internal ConversationInput(Stream stream) => _stream = stream;

    /// <summary>Writes a line: the bytes, then a newline.</summary>
    public void WriteLine(ReadOnlySpan<byte> line)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _stream.Write(line);
        _stream.WriteByte((byte)'\n');
        _stream.Flush();
        _written = true;
    }

    /// <summary>
    /// Sends end-of-file: the command reads nothing more. SSH.NET sends it only after some input,
    /// so a command that was never written to is stopped instead: the session closes its channel,
    /// which ends its input just the same, and reports what it printed until then.
    /// </summary>
    public void Close()
    {
        if (!_closed)
        {
            _closed = true;
            Abandoned = !_written;
            _stream.Dispose();
        }
    }

    /// <summary>Whether end-of-file was sent.</summary>
    public bool IsClosed => _closed;

    /// <summary>Whether the input was closed before anything was written, so the command must be stopped.</summary>
    internal bool Abandoned { get; private set; }

    /// <inheritdoc/>
    public void Dispose() => Close();
}

/// <summary>
/// A dialogue with a command on the target: it reads what the command prints and answers its
/// prompts on standard input, the only way a secret may travel to a target.
/// </summary>
public abstract class Conversation
{
    /// <summary>
    /// Called when the command starts, with empty output, and each time output arrives, with
    /// everything printed so far. A conversation that looks at all of it each time does work that
    /// grows with the square of the output; the output's cap (64 KiB) bounds it.
    /// </summary>
    public abstract void OnOutput(string output, ConversationInput input);

    /// <summary>Masks every secret of the conversation that <paramref name="text"/> may hold.</summary>
    public virtual string Scrub(string text) => text;

    /// <summary>A conversation for a command that reads nothing: it never writes and never closes.</summary>
    public static Conversation Silent { get; } = new SilentConversation();

    /// <summary>A conversation that writes <paramref name="line"/> when the command starts, then end-of-file.</summary>
    public static Conversation WithInput(byte[] line) => new InputConversation(line);

    private sealed class SilentConversation : Conversation
    {
        public override void OnOutput(string output, ConversationInput input)
        {
        }
    }

    private sealed class InputConversation(byte[] line) : Conversation
    {
        public override void OnOutput(string output, ConversationInput input)
        {
            if (!input.IsClosed)
            {
                input.WriteLine(line);
                input.Close();
            }
        }
    }
}
