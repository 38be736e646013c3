"""The simulated back ends' own interface descriptions (WSDL, API document) and their profiles."""
