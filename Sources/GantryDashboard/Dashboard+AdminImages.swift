import Foundation
import GantryAPI
import GantryCore
import GantryServices
import Hummingbird

extension Dashboard {
    func registerAdminImages<Context: RequestContext>(on router: Router<Context>) {
    }
}
