import GantryCore
import Testing

@Suite struct TransitionErrorTests {
    @Test func namesTheActionTheKindAndTheState() {
        #expect(
            TransitionError(kind: .instance, state: "stopped", action: "stop").description
                == "cannot stop an instance that is stopped")
        #expect(
            TransitionError(kind: .session, state: "expired", action: "end").description
                == "cannot end a session that is expired")
        #expect(
            TransitionError(kind: .job, state: "completed", action: "requeue").description
                == "cannot requeue a job that is completed")
    }
}
