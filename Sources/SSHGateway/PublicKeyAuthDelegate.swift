import GantryServices
import NIOCore
import NIOSSH

/// Asks the services whether a key may sign in as a login; one per connection.
///
/// nio-ssh (0.15.1) checks the signature of a signed publickey request against the session
/// identifier before it calls `requestReceived`, and answers unsigned "would you accept this key?"
/// probes itself with PK_OK, without consulting the delegate. So every request seen here is for a
/// key the client has proven it holds, and the decision is made on that key. Keys of algorithms
/// nio-ssh cannot parse (RSA, certificates) are refused inside nio-ssh and never reach us; the
/// client just moves on to its next key.
final class PublicKeyAuthDelegate: NIOSSHServerUserAuthenticationDelegate {
    let supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods = .publicKey

    private let access: any ShellAccess
    private let connection: GatewayConnection

    init(access: any ShellAccess, connection: GatewayConnection) {
        self.access = access
        self.connection = connection
    }

    func requestReceived(
        request: NIOSSHUserAuthenticationRequest,
        responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>
    ) {
        // "none" (which OpenSSH sends first) and anything but publickey get a plain failure, which
        // lists publickey as the only method that can continue.
        guard case .publicKey(let offer) = request.request, let blob = offer.publicKey.sshWireBlob else {
            responsePromise.succeed(.failure)
            return
        }
        let login = request.username
        let access = self.access
        let connection = self.connection
        Task {
            let fingerprint = SSHKeyFingerprint.sha256(blob: blob)
            switch await access.authenticate(login: login, publicKeyBlob: blob) {
            case .accepted(let grant):
                // Recorded before nio-ssh sees the outcome, so the grant is there for every channel.
                connection.loginAccepted(grant, login: login, fingerprint: fingerprint)
                responsePromise.succeed(.success)
            case .refused(let reason, _):
                connection.loginRefused(login: login, fingerprint: fingerprint, reason: reason)
                responsePromise.succeed(.failure)
            }
        }
    }
}
