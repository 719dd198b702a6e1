import Foundation
import GantryAPI
import GantryCore
import GantryServices
import Hummingbird

extension Dashboard {
    func registerGPUs<Context: RequestContext>(on router: Router<Context>) {
    }
}
